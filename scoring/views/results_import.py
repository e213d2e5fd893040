"""Results of a year before the app was used: the matrix template and the import page."""

from django.contrib.auth.decorators import login_required
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from units.roles import roles_of

from .. import access
from ..importers import results as results_importer
from .exports import serve
from .importing import ImportPage, import_page

YEAR = "years/<int:year_id>/"


@require_GET
@login_required
def results_template(request, year_id: int):
    """The score matrix of the year's units and framework, as the matrix export writes it (a
    year being prepared has no scores yet, so its cells are empty), and the year's ranking
    settings on a sheet of their own."""
    year = access.get_year_for_admin(roles_of(request.user), year_id)
    return serve(results_importer.ResultsTemplate(year=year))


@require_http_methods(["GET", "POST"])
@login_required
def results_import(request, year_id: int):
    roles = roles_of(request.user)
    year = access.get_year_for_admin(roles, year_id)
    page = ImportPage(
        title=_("Nhập kết quả năm %(year)s (trước khi dùng phần mềm)") % {"year": year.year},
        intro=_(
            "Kết quả đã công bố của một năm trước khi dùng phần mềm, để so sánh giữa các năm và "
            "thay đổi hạng có ngay từ năm đầu. Mỗi đơn vị một dòng, theo một trong hai cách: điểm "
            "từng tiêu chí thành phần, đúng như tệp “Ma trận điểm” mà phần mềm xuất (tệp xuất từ "
            "một nơi khác cũng nhập được), hoặc điểm từng lĩnh vực khi chỉ có điểm lĩnh vực được "
            "công bố; khi đó bộ chỉ số của năm được thay bằng các lĩnh vực chấm điểm trực tiếp, "
            "giữ nguyên mã, tên và điểm tối đa. Tổng điểm, chỉ số và hạng do phần mềm tính từ "
            "điểm đã nhập, không lấy từ tệp, theo thiết lập xếp hạng ở trang “Thiết lập xếp hạng” "
            "của tệp (cách xếp đồng hạng, điểm thưởng và điểm trừ tối đa, xếp loại của năm đó). "
            "Sau khi nhập, kỳ đánh giá được công bố."
        ),
        back_url=reverse("year_state", args=[year.pk]),
        template_url=reverse("results_template", args=[year.pk]),
        columns_help=results_importer.columns_help(),
    )
    return import_page(
        request,
        page=page,
        importer=lambda: results_importer.ResultsImporter(
            year=year, roles=roles, user=request.user
        ),
        scope=f"results:{year.pk}",
    )


urlpatterns = [
    path(YEAR + "results/template.xlsx", results_template, name="results_template"),
    path(YEAR + "results/import/", results_import, name="results_import"),
]
