from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .collation import VietnameseOrder


class UnitLevel(models.Model):
    """A level of assessed units (district-level, departments, communes), ranked within itself."""

    code = models.SlugField(_("mã"), max_length=30, unique=True)
    name = models.CharField(_("tên"), max_length=120)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    # How reports name the level's units together: "xếp thứ 12/13 huyện, thị xã, thành phố".
    members_phrase = models.CharField(
        _("tên gọi chung các đơn vị"),
        max_length=200,
        blank=True,
        help_text=_(
            "Dùng trong câu xếp hạng, ví dụ “huyện, thị xã, thành phố” hoặc “xã, phường”. "
            "Để trống: “đơn vị”."
        ),
    )

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("cấp đơn vị")
        verbose_name_plural = _("cấp đơn vị")

    def __str__(self):
        return self.name


class Unit(models.Model):
    class Kind(models.TextChoices):
        CITY = "thanh_pho", _("Thành phố")
        TOWN = "thi_xa", _("Thị xã")
        DISTRICT = "huyen", _("Huyện")
        DEPARTMENT = "so", _("Sở, ban, ngành")
        COMMUNE = "xa", _("Xã, phường, thị trấn")

    level = models.ForeignKey(
        UnitLevel, on_delete=models.PROTECT, related_name="units", verbose_name=_("cấp đơn vị")
    )
    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=120)
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        # Vietnamese alphabetical order ("Đức Thọ" after "Can Lộc"), on every database.
        ordering = ["level", VietnameseOrder("name")]
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")

    def __str__(self):
        return self.name


class UnitSuccession(models.Model):
    """A unit taking over from another on a date: a merge (Lộc Hà into Thạch Hà), one of the
    units a split made, or a new name. History, year-over-year change and a unit's "own
    previous year" follow these links (``scoring.selectors.lineage``)."""

    class Kind(models.TextChoices):
        MERGE = "merge", _("Sáp nhập")
        SPLIT = "split", _("Chia tách")
        RENAME = "rename", _("Đổi tên")

    predecessor = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="successor_links",
        verbose_name=_("đơn vị trước"),
    )
    successor = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="predecessor_links",
        verbose_name=_("đơn vị sau"),
    )
    kind = models.CharField(_("hình thức"), max_length=10, choices=Kind.choices)
    effective_on = models.DateField(_("có hiệu lực từ ngày"))
    note = models.CharField(_("căn cứ, ghi chú"), max_length=500, blank=True)

    class Meta:
        ordering = ["effective_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="unit_succession_unique_pair"
            ),
            models.CheckConstraint(
                condition=~models.Q(predecessor=models.F("successor")),
                name="unit_succession_not_itself",
            ),
        ]
        verbose_name = _("sắp xếp đơn vị")
        verbose_name_plural = _("sắp xếp đơn vị")

    def __str__(self):
        return f"{self.predecessor} → {self.successor} ({self.get_kind_display()})"

    def clean(self):
        # The admin's form runs this: a link to itself, or one that closes a circle (A → B
        # while B is already behind A), would send history and rank change round in circles.
        if self.predecessor_id is None or self.successor_id is None:
            return
        if self.predecessor_id == self.successor_id:
            raise ValidationError(
                {"successor": _("Đơn vị sau phải khác đơn vị trước.")}, code="itself"
            )
        from scoring.selectors.lineage import Lineage

        others = UnitSuccession.objects.exclude(pk=self.pk).select_related(
            "predecessor", "successor"
        )
        if Lineage(others).would_cycle(self.predecessor_id, self.successor_id):
            raise ValidationError(
                {
                    "successor": _(
                        "%(successor)s đã là đơn vị trước của %(predecessor)s (trực tiếp hoặc "
                        "qua các lần sắp xếp khác); ghi thêm liên kết này sẽ tạo vòng lặp."
                    )
                    % {"successor": self.successor, "predecessor": self.predecessor}
                },
                code="cycle",
            )
        self._check_against_results()

    def _check_against_results(self):
        """A link must agree with the years on record: the unit taken over is not assessed in a
        year that starts on or after the date (it no longer exists then), and a new name was
        not assessed in a year that ended before it (it did not exist yet). A merge into an
        existing unit keeps both units' earlier years; a split may leave the old unit in place."""
        if self.effective_on is None:
            return
        from django.apps import apps

        assessment = apps.get_model("scoring", "Assessment")
        # The first year that starts on or after the date.
        on_jan_1 = (self.effective_on.month, self.effective_on.day) == (1, 1)
        first_year_after = self.effective_on.year + (0 if on_jan_1 else 1)
        after = (
            assessment.objects.filter(unit_id=self.predecessor_id, year__year__gte=first_year_after)
            .order_by("year__year")
            .values_list("year__year", flat=True)
            .first()
        )
        # A split may leave the old unit in place (a part of it made into a new unit).
        if after is not None and self.kind != self.Kind.SPLIT:
            raise ValidationError(
                {
                    "effective_on": _(
                        "%(unit)s vẫn được đánh giá năm %(year)s, sau ngày này: hãy sửa ngày "
                        "hoặc chọn đúng đơn vị."
                    )
                    % {"unit": self.predecessor, "year": after}
                },
                code="assessed_after",
            )
        if self.kind == self.Kind.RENAME:
            before = (
                assessment.objects.filter(
                    unit_id=self.successor_id, year__year__lt=self.effective_on.year
                )
                .order_by("-year__year")
                .values_list("year__year", flat=True)
                .first()
            )
            if before is not None:
                raise ValidationError(
                    {
                        "effective_on": _(
                            "%(unit)s đã được đánh giá năm %(year)s, trước khi đổi tên: một tên "
                            "mới chưa có kết quả những năm trước."
                        )
                        % {"unit": self.successor, "year": before}
                    },
                    code="renamed_before",
                )


class Membership(models.Model):
    """A person's place in a unit: the district officer enters, the district leader submits."""

    class Role(models.TextChoices):
        OFFICER = "officer", _("Cán bộ nhập liệu")
        LEADER = "leader", _("Lãnh đạo đơn vị")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("người dùng"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("đơn vị")
    )
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "unit"], name="membership_unique_user_unit")
        ]
        verbose_name = _("thành viên đơn vị")
        verbose_name_plural = _("thành viên đơn vị")

    def __str__(self):
        return f"{self.user} · {self.unit} · {self.get_role_display()}"

    def clean(self):
        # The admin's form runs this, so a refused role reads as a message on the form; the
        # pre_save guard (units.signals) refuses the same for every other path.
        from .roles import check_duties

        if self.user_id is not None:
            try:
                check_duties(self.user, has_unit_role=True)
            except ValidationError as exc:
                raise ValidationError({"user": exc.error_list}) from exc


class AccountState(models.Model):
    """What the app needs to know of an account beyond Django's user: whether its password is
    a temporary one the Interior Department set, to be changed at the next sign-in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="account_state",
        verbose_name=_("người dùng"),
    )
    must_change_password = models.BooleanField(_("phải đổi mật khẩu"), default=False)
    # Notifications: the bell always; e-mail unless the person turns it off. Reminders and
    # e-mails are written in the language the person last chose.
    email_notifications = models.BooleanField(_("nhận thông báo qua thư điện tử"), default=True)
    language = models.CharField(_("ngôn ngữ"), max_length=10, default="vi")

    class Meta:
        verbose_name = _("trạng thái tài khoản")
        verbose_name_plural = _("trạng thái tài khoản")

    def __str__(self):
        return str(self.user)


class SecondFactorPolicy(models.Model):
    """Whether the accounts of one Interior Department role must confirm each sign-in with a
    second factor (a code from an authenticator app, or a recovery code). No row, or
    ``required`` off, means it is voluntary: the demo accounts sign in with a password only
    until an admin turns it on."""

    class Role(models.TextChoices):
        INTERIOR_ADMIN = "interior_admin", _("Quản trị Sở Nội vụ")
        APPRAISER = "appraiser", _("Thẩm định (Sở Nội vụ, sở ngành)")
        VIEWER = "viewer", _("Chỉ xem")

    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices, unique=True)
    required = models.BooleanField(_("bắt buộc xác thực hai bước"), default=False)

    class Meta:
        verbose_name = _("chính sách xác thực hai bước")
        verbose_name_plural = _("chính sách xác thực hai bước")

    def __str__(self):
        return f"{self.get_role_display()}: {self.required}"
