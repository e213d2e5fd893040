"""The illustrative district framework of the demo (a sample, not an official table).

It follows the verified shape of Hà Tĩnh's district framework (QĐ 52/2019/QĐ-UBND, domain.md §3):
9 appraised fields worth 80 points with the published field maxima (10, 6.5, 13.5, 5.5; the other
five share 44.5) and a sociological-survey block worth 20; its leaves use every rule type.
"""

from decimal import Decimal as D

from ..services import NodeSpec

NAME = "Bộ chỉ số mẫu cấp huyện (minh họa)"
DESCRIPTION = (
    "Bộ chỉ số minh họa theo cấu trúc của QĐ 52/2019/QĐ-UBND tỉnh Hà Tĩnh: 9 lĩnh vực thẩm định "
    "(80 điểm) và điều tra xã hội học (20 điểm). Các tiêu chí thành phần là ví dụ, không phải "
    "văn bản chính thức."
)

INTERIOR = "interior"


def tiers(*pairs, exclusive_first=False):
    result = [{"min": str(m), "points": str(p)} for m, p in pairs]
    if exclusive_first:
        result[0]["inclusive"] = False
    return {"tiers": result}


STEP = {"step": "0.25"}

NODES = [
    NodeSpec("1", "Công tác chỉ đạo, điều hành cải cách hành chính", D("10")),
    NodeSpec("1.1", "Kế hoạch cải cách hành chính năm", D("3")),
    NodeSpec(
        "1.1.1",
        "Ban hành kế hoạch CCHC năm đúng thời hạn",
        D("1"),
        "timeliness",
        {"on_time": "1", "late": "0.5"},
        guide="Ban hành đúng hạn: 1 điểm; trễ hạn: 0,5 điểm; không ban hành: 0 điểm.",
        shortfall="kế hoạch CCHC năm ban hành chưa đúng thời hạn",
    ),
    NodeSpec(
        "1.1.2",
        "Mức độ hoàn thành kế hoạch CCHC năm",
        D("2"),
        "percent_tiers",
        tiers((90, 2), (70, 1), exclusive_first=True),
        guide="Trên 90% nhiệm vụ: 2 điểm; từ 70% đến 90%: 1 điểm; dưới 70%: 0 điểm.",
        shortfall="chưa hoàn thành đầy đủ kế hoạch CCHC năm",
    ),
    NodeSpec("1.2", "Báo cáo cải cách hành chính", D("1.5")),
    NodeSpec(
        "1.2.1",
        "Báo cáo CCHC định kỳ đầy đủ, đúng thời hạn",
        D("1.5"),
        "timeliness",
        {"on_time": "1.5", "late": "0.75", "late_days": 15},
        guide="Đúng hạn: 1,5 điểm; trễ không quá 15 ngày: 0,75 điểm; trễ hơn: 0 điểm.",
    ),
    NodeSpec("1.3", "Kiểm tra công tác cải cách hành chính", D("2")),
    NodeSpec(
        "1.3.1",
        "Tỷ lệ cơ quan, đơn vị được kiểm tra trong năm",
        D("1"),
        "proportional",
        guide="Điểm = 1 × số đơn vị được kiểm tra / tổng số đơn vị.",
    ),
    NodeSpec(
        "1.3.2",
        "Xử lý các vấn đề phát hiện qua kiểm tra",
        D("1"),
        "manual",
        STEP,
        shortfall="xử lý các vấn đề phát hiện qua kiểm tra chưa triệt để",
    ),
    NodeSpec("1.4", "Tuyên truyền cải cách hành chính", D("1.5")),
    NodeSpec("1.4.1", "Ban hành kế hoạch tuyên truyền CCHC", D("0.5"), "binary"),
    NodeSpec("1.4.2", "Mức độ thực hiện kế hoạch tuyên truyền", D("1"), "manual", STEP),
    NodeSpec("1.5", "Sáng kiến, đổi mới trong cải cách hành chính", D("2")),
    NodeSpec(
        "1.5.1",
        "Có sáng kiến, mô hình CCHC được công nhận cấp tỉnh",
        D("2"),
        "binary",
        shortfall="không có sáng kiến, mô hình CCHC được công nhận cấp tỉnh",
    ),
    NodeSpec("2", "Xây dựng và tổ chức thực hiện văn bản quy phạm pháp luật", D("6.5")),
    NodeSpec("2.1", "Ban hành văn bản QPPL", D("2")),
    NodeSpec(
        "2.1.1",
        "Tỷ lệ văn bản QPPL ban hành đúng kế hoạch",
        D("2"),
        "percent_tiers",
        tiers((90, 2), (70, 1)),
    ),
    NodeSpec("2.2", "Rà soát, kiểm tra văn bản QPPL", D("2.5")),
    NodeSpec("2.2.1", "Ban hành kế hoạch rà soát, kiểm tra văn bản", D("0.5"), "binary"),
    NodeSpec(
        "2.2.2",
        "Xử lý văn bản trái pháp luật phát hiện qua kiểm tra",
        D("1"),
        "proportional",
        allows_na=True,
        guide="Không áp dụng nếu trong năm không phát hiện văn bản trái pháp luật.",
    ),
    NodeSpec(
        "2.2.3",
        "Văn bản bị cơ quan có thẩm quyền yêu cầu sửa đổi, bãi bỏ",
        D("1"),
        "deduction",
        {"per_occurrence": "0.25"},
        guide="Trừ 0,25 điểm mỗi văn bản.",
        shortfall="có văn bản bị cơ quan có thẩm quyền yêu cầu sửa đổi, bãi bỏ",
    ),
    NodeSpec("2.3", "Theo dõi thi hành pháp luật", D("2")),
    NodeSpec("2.3.1", "Thực hiện công tác theo dõi thi hành pháp luật", D("2"), "manual", STEP),
    NodeSpec("3", "Cải cách thủ tục hành chính", D("13.5")),
    NodeSpec("3.1", "Công khai thủ tục hành chính", D("3")),
    NodeSpec(
        "3.1.1",
        "Tỷ lệ TTHC được công khai đầy đủ, đúng quy định",
        D("3"),
        "percent_tiers",
        tiers((100, 3), (90, "1.5")),
        shortfall="chưa công khai đầy đủ, đúng quy định toàn bộ TTHC",
    ),
    NodeSpec("3.2", "Tiếp nhận, giải quyết hồ sơ thủ tục hành chính", D("6")),
    NodeSpec(
        "3.2.1",
        "Tỷ lệ hồ sơ TTHC được giải quyết đúng hạn",
        D("4"),
        "proportional",
        shortfall="còn hồ sơ TTHC giải quyết trễ hạn",
    ),
    NodeSpec(
        "3.2.2",
        "Thực hiện xin lỗi người dân khi giải quyết hồ sơ trễ hạn",
        D("1"),
        "manual",
        STEP,
        allows_na=True,
        guide="Không áp dụng nếu trong năm không có hồ sơ trễ hạn.",
    ),
    NodeSpec(
        "3.2.3",
        "Tỷ lệ hồ sơ được tiếp nhận trực tuyến",
        D("1"),
        "percent_tiers",
        tiers((50, 1), (30, "0.5")),
        shortfall="tỷ lệ hồ sơ được tiếp nhận trực tuyến còn thấp",
    ),
    NodeSpec("3.3", "Tiếp nhận, xử lý phản ánh, kiến nghị", D("2.5")),
    NodeSpec(
        "3.3.1",
        "Tỷ lệ phản ánh, kiến nghị được xử lý đúng hạn",
        D("2.5"),
        "proportional",
        allows_na=True,
    ),
    NodeSpec("3.4", "Rà soát, đơn giản hóa thủ tục hành chính", D("2")),
    NodeSpec(
        "3.4.1",
        "Ban hành kế hoạch rà soát TTHC đúng thời hạn",
        D("1"),
        "timeliness",
        {"on_time": "1", "late": "0.5"},
    ),
    NodeSpec("3.4.2", "Có phương án đơn giản hóa TTHC được chấp thuận", D("1"), "binary"),
    NodeSpec("4", "Cải cách tổ chức bộ máy hành chính", D("8")),
    NodeSpec("4.1", "Sắp xếp tổ chức bộ máy", D("4")),
    NodeSpec(
        "4.1.1", "Thực hiện quy định về chức năng, nhiệm vụ của các phòng", D("2"), "manual", STEP
    ),
    NodeSpec(
        "4.1.2",
        "Số lượng lãnh đạo cấp phó tại các phòng đúng quy định",
        D("2"),
        "binary",
        shortfall="số lượng lãnh đạo cấp phó tại các phòng chưa đúng quy định",
    ),
    NodeSpec("4.2", "Quản lý, sử dụng biên chế", D("4")),
    NodeSpec("4.2.1", "Sử dụng biên chế không vượt số được giao", D("2"), "binary"),
    NodeSpec(
        "4.2.2",
        "Tỷ lệ tinh giản biên chế đạt kế hoạch",
        D("2"),
        "percent_tiers",
        tiers((100, 2), (80, 1)),
        shortfall="tinh giản biên chế chưa đạt kế hoạch",
    ),
    NodeSpec("5", "Xây dựng và nâng cao chất lượng đội ngũ CBCCVC", D("9")),
    NodeSpec("5.1", "Tuyển dụng, bố trí công chức", D("3")),
    NodeSpec("5.1.1", "Bố trí công chức theo vị trí việc làm", D("1.5"), "manual", STEP),
    NodeSpec("5.1.2", "Tuyển dụng công chức, viên chức đúng quy định", D("1.5"), "binary"),
    NodeSpec("5.2", "Đào tạo, bồi dưỡng", D("2.5")),
    NodeSpec(
        "5.2.1",
        "Tỷ lệ CBCC được bồi dưỡng theo kế hoạch",
        D("2.5"),
        "proportional",
        shortfall="chưa bồi dưỡng đủ CBCC theo kế hoạch",
    ),
    NodeSpec("5.3", "Kỷ luật, kỷ cương hành chính", D("3.5")),
    NodeSpec(
        "5.3.1",
        "Vi phạm kỷ luật, kỷ cương phát hiện qua kiểm tra công vụ",
        D("2"),
        "deduction",
        {"per_occurrence": "0.5"},
        guide="Trừ 0,5 điểm mỗi trường hợp.",
        shortfall="có CBCC vi phạm kỷ luật, kỷ cương phát hiện qua kiểm tra công vụ",
    ),
    NodeSpec("5.3.2", "Tổ chức kiểm tra công vụ", D("1.5"), "manual", STEP),
    NodeSpec("6", "Cải cách tài chính công", D("5.5")),
    NodeSpec("6.1", "Quản lý, sử dụng ngân sách", D("3")),
    NodeSpec("6.1.1", "Tỷ lệ đơn vị sự nghiệp thực hiện cơ chế tự chủ", D("1.5"), "proportional"),
    NodeSpec(
        "6.1.2",
        "Thực hiện kết luận thanh tra, kiểm toán",
        D("1.5"),
        "manual",
        STEP,
        shortfall="thực hiện kết luận thanh tra, kiểm toán chưa đầy đủ",
    ),
    NodeSpec("6.2", "Thu ngân sách", D("2.5")),
    NodeSpec(
        "6.2.1",
        "Tỷ lệ đóng góp của doanh nghiệp, HTX vào thu ngân sách huyện",
        D("2.5"),
        "percent_tiers",
        tiers((30, "2.5"), (20, "1.5"), (10, "0.5")),
        guide="Từ 30%: 2,5 điểm; từ 20%: 1,5 điểm; từ 10%: 0,5 điểm; dưới 10%: 0 điểm.",
        shortfall="tỷ lệ đóng góp của doanh nghiệp, hợp tác xã vào thu ngân sách huyện còn thấp",
    ),
    NodeSpec("7", "Hiện đại hóa hành chính, xây dựng chính quyền điện tử", D("11")),
    NodeSpec("7.1", "Ứng dụng công nghệ thông tin", D("5")),
    NodeSpec(
        "7.1.1",
        "Tỷ lệ văn bản trao đổi dưới dạng điện tử",
        D("2"),
        "percent_tiers",
        tiers((90, 2), (70, 1)),
        shortfall="tỷ lệ văn bản trao đổi dưới dạng điện tử chưa đạt yêu cầu",
    ),
    NodeSpec("7.1.2", "Tỷ lệ hồ sơ công việc xử lý trên môi trường mạng", D("3"), "proportional"),
    NodeSpec("7.2", "Dịch vụ công trực tuyến", D("4")),
    NodeSpec(
        "7.2.1",
        "Tỷ lệ DVC trực tuyến toàn trình có phát sinh hồ sơ",
        D("2"),
        "percent_tiers",
        tiers((50, 2), (30, 1)),
        shortfall="tỷ lệ DVC trực tuyến toàn trình có phát sinh hồ sơ còn thấp",
    ),
    NodeSpec("7.2.2", "Tỷ lệ hồ sơ thanh toán trực tuyến", D("2"), "proportional"),
    NodeSpec("7.3", "Áp dụng hệ thống quản lý chất lượng", D("2")),
    NodeSpec("7.3.1", "Áp dụng, duy trì ISO 9001 theo quy định", D("2"), "binary"),
    NodeSpec("8", "Thực hiện cơ chế một cửa, một cửa liên thông", D("8.5")),
    NodeSpec("8.1", "Trung tâm hành chính công cấp huyện", D("4.5")),
    NodeSpec("8.1.1", "Cơ sở vật chất, trang thiết bị đúng quy định", D("2"), "manual", STEP),
    NodeSpec("8.1.2", "Bố trí công chức tại bộ phận một cửa đúng quy định", D("2.5"), "binary"),
    NodeSpec("8.2", "Bộ phận một cửa cấp xã", D("4")),
    NodeSpec(
        "8.2.1",
        "Tỷ lệ xã, thị trấn có bộ phận một cửa đạt chuẩn",
        D("4"),
        "proportional",
        shortfall="còn xã, thị trấn có bộ phận một cửa chưa đạt chuẩn",
    ),
    NodeSpec("9", "Tác động của CCHC đến phát triển kinh tế - xã hội", D("8")),
    NodeSpec("9.1", "Thu hút đầu tư", D("4")),
    NodeSpec(
        "9.1.1",
        "Số dự án được chấp thuận đầu tư với vốn 100–200 tỷ đồng trong năm",
        D("4"),
        "count_tiers",
        tiers((10, 4), (5, 2)),
        guide="Từ 10 dự án: 4 điểm; từ 5 đến 9 dự án: 2 điểm; dưới 5 dự án: 0 điểm.",
        shortfall="không có từ 5–10 dự án được chấp thuận đầu tư với vốn 100–200 tỷ đồng",
    ),
    NodeSpec("9.2", "Phát triển doanh nghiệp", D("2")),
    NodeSpec(
        "9.2.1",
        "Số doanh nghiệp thành lập mới trong năm",
        D("2"),
        "count_tiers",
        tiers((50, 2), (30, 1)),
        shortfall="số doanh nghiệp thành lập mới trong năm còn ít",
    ),
    NodeSpec("9.3", "Thực hiện chỉ tiêu phát triển kinh tế - xã hội", D("2")),
    NodeSpec(
        "9.3.1",
        "Tỷ lệ chỉ tiêu KT-XH đạt và vượt kế hoạch",
        D("2"),
        "percent_tiers",
        tiers((100, 2), (80, 1)),
        shortfall="còn chỉ tiêu KT-XH chưa đạt kế hoạch",
    ),
    NodeSpec("10", "Điều tra xã hội học", D("20"), filled_by=INTERIOR),
    NodeSpec(
        "10.1", "Khảo sát sự hài lòng của người dân, tổ chức", D("10"), "survey", filled_by=INTERIOR
    ),
    NodeSpec(
        "10.2",
        "Khảo sát lãnh đạo, công chức về công tác CCHC",
        D("10"),
        "survey",
        filled_by=INTERIOR,
    ),
]
