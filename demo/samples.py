"""Sample material for the demo, the tests and the benchmarks, all of it made by code.

Photos with real EXIF (and XMP when asked), scanned-looking pages of Vietnamese text, multi-page
TIFFs, image-only PDFs, and `build_demo_collection`, which writes the folder tree an archivist of
Kon Tum might bring to `archive ingest`. Everything is deterministic for a given seed: each function
draws from its own `random.Random(seed)`, never from the global generator, and nothing written
carries the time of the run, so two builds with the same seed are byte-identical.

    python -m demo.samples OUTDIR [--seed N] [--dpi N]
"""

from __future__ import annotations

import argparse
import csv
import math
import random
import sys
import time
import unicodedata
from datetime import datetime
from fractions import Fraction
from pathlib import Path
from statistics import NormalDist
from xml.sax.saxutils import escape

import yaml
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont, TiffImagePlugin

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
A4_MM = (210.0, 297.0)
MM_PER_INCH = 25.4

# Pillow's PDF writer stamps the current time unless told otherwise; a fixed date keeps builds
# byte-identical. It is the date of plan 1297/KH-UBND.
PDF_DATE = time.struct_time((2023, 5, 5, 0, 0, 0, 4, 125, 0))

CSV_COLUMNS = (
    "file", "title", "title_en", "description", "description_en", "creator", "date", "subject",
    "language", "rights", "place", "latitude", "longitude", "type", "access",
)  # fmt: skip

# EXIF and GPS tag numbers (TIFF/EXIF 2.32), named so the writer below reads like the standard.
TAG_IMAGE_DESCRIPTION = 0x010E
TAG_MAKE = 0x010F
TAG_MODEL = 0x0110
TAG_ORIENTATION = 0x0112
TAG_DATETIME = 0x0132
TAG_ARTIST = 0x013B
TAG_COPYRIGHT = 0x8298
IFD_EXIF = 0x8769
IFD_GPS = 0x8825
TAG_DATETIME_ORIGINAL = 0x9003
TAG_DATETIME_DIGITIZED = 0x9004
TAG_OFFSET_TIME_ORIGINAL = 0x9011
TAG_PIXEL_X_DIMENSION = 0xA002
TAG_PIXEL_Y_DIMENSION = 0xA003
GPS_VERSION_ID = 0x0000
GPS_LATITUDE_REF = 0x0001
GPS_LATITUDE = 0x0002
GPS_LONGITUDE_REF = 0x0003
GPS_LONGITUDE = 0x0004
GPS_MAP_DATUM = 0x0012

# How an EXIF orientation is undone for display (as in PIL.ImageOps.exif_transpose); the photo
# writer applies the inverse, so the scene shows upright once a viewer honours the tag.
_INVERSE_ORIENTATION = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# --------------------------------------------------------------------------------------------
# Texts

VIETNAMESE_TEXTS: list[dict] = [
    {
        "slug": "ke-hoach-1297-truyen-thong-quyen-con-nguoi",
        "title_vi": "Kế hoạch thực hiện Chương trình truyền thông về quyền con người "
        "giai đoạn 2023–2028",
        "title_en": "Plan to implement the human rights communication programme, 2023–2028",
        "date": "2023-05-05",
        "text": (
            "Thực hiện Chương trình truyền thông về quyền con người ở Việt Nam giai đoạn "
            "2023–2028, Ủy ban nhân dân tỉnh Kon Tum ban hành Kế hoạch số 1297/KH-UBND nhằm "
            "nâng cao nhận thức của cán bộ và Nhân dân về quyền con người, về chính sách, pháp "
            "luật của Nhà nước và các điều ước quốc tế về quyền con người mà Việt Nam là thành "
            "viên. Nội dung truyền thông tập trung vào bảy công ước cốt lõi của Liên hợp quốc: "
            "Công ước quốc tế về các quyền dân sự và chính trị (ICCPR), Công ước quốc tế về các "
            "quyền kinh tế, xã hội và văn hóa (ICESCR), Công ước về xóa bỏ mọi hình thức phân "
            "biệt đối xử với phụ nữ (CEDAW), Công ước quốc tế về xóa bỏ mọi hình thức phân biệt "
            "chủng tộc (ICERD), Công ước về quyền trẻ em (CRC), Công ước về quyền của người "
            "khuyết tật (CRPD) và Công ước chống tra tấn (CAT). Đến năm 2028, phấn đấu 100% "
            "nguồn dữ liệu và sản phẩm truyền thông được số hóa, kết nối và đăng tải trên môi "
            "trường mạng; sản phẩm bằng tiếng dân tộc thiểu số, tiếng nước ngoài và trên các "
            "nền tảng số chiếm từ 15% đến 20%. Sở Thông tin và Truyền thông chủ trì, phối hợp "
            "với các sở, ngành và Ủy ban nhân dân các huyện, thành phố tổ chức thực hiện, định "
            "kỳ báo cáo kết quả."
        ),
    },
    {
        "slug": "quyen-tre-em-dak-glei",
        "title_vi": "Báo cáo kết quả tuyên truyền Công ước về Quyền trẻ em tại huyện Đắk Glei",
        "title_en": "Report on communicating the Convention on the Rights of the Child "
        "in Đắk Glei district",
        "date": "2019-11-20",
        "text": (
            "Nhân kỷ niệm 30 năm Đại hội đồng Liên hợp quốc thông qua Công ước về Quyền trẻ em, "
            "Phòng Lao động – Thương binh và Xã hội huyện Đắk Glei phối hợp với Huyện đoàn tổ "
            "chức đợt tuyên truyền tại các xã Đắk Man, Đắk Plô, Đắk Choong và Xốp. Cán bộ đã "
            "giới thiệu các nhóm quyền cơ bản của trẻ em: quyền được sống, quyền được bảo vệ, "
            "quyền được phát triển và quyền được tham gia. Tài liệu được biên soạn bằng tiếng "
            "Việt và tiếng Xơ Đăng, có tranh minh họa để các em học sinh bán trú dễ tiếp cận. "
            "Hơn 1.200 học sinh, giáo viên và phụ huynh đã tham dự các buổi sinh hoạt ngoại "
            "khóa. Các già làng, người có uy tín trong thôn, làng được mời chia sẻ về việc không "
            "để trẻ em bỏ học, không tảo hôn và không để trẻ em lao động nặng nhọc. Qua tuyên "
            "truyền, nhận thức của cha mẹ về việc cho con đi học đúng độ tuổi, tiêm chủng đầy "
            "đủ và khai sinh đúng hạn có chuyển biến rõ rệt. Tuy nhiên, địa bàn rộng, giao "
            "thông đi lại khó khăn vào mùa mưa nên một số làng vùng sâu chưa được tiếp cận "
            "thường xuyên. Năm tới, huyện đề nghị tỉnh hỗ trợ thêm loa truyền thanh và tài "
            "liệu song ngữ."
        ),
    },
    {
        "slug": "quyen-nguoi-khuyet-tat",
        "title_vi": "Tài liệu tuyên truyền về quyền của người khuyết tật",
        "title_en": "Leaflet on the rights of persons with disabilities",
        "date": "2021-12-03",
        "text": (
            "Việt Nam đã ban hành Luật Người khuyết tật năm 2010 và phê chuẩn Công ước về quyền "
            "của người khuyết tật năm 2014. Người khuyết tật có quyền tham gia bình đẳng vào các "
            "hoạt động xã hội; được sống độc lập, hòa nhập cộng đồng; được miễn hoặc giảm một "
            "số khoản đóng góp; được chăm sóc sức khỏe, phục hồi chức năng, học văn hóa, học "
            "nghề và có việc làm phù hợp. Nghiêm cấm mọi hành vi kỳ thị, phân biệt đối xử với "
            "người khuyết tật. Trên địa bàn tỉnh Kon Tum, các xã, phường, thị trấn đã rà soát, "
            "xác định mức độ khuyết tật và chi trả trợ cấp xã hội hằng tháng theo quy định. Hội "
            "Bảo trợ người khuyết tật và trẻ mồ côi tỉnh phối hợp với các nhà hảo tâm trao tặng "
            "xe lăn, máy trợ thính và học bổng cho học sinh khuyết tật có hoàn cảnh khó khăn. "
            "Trụ sở cơ quan nhà nước, trường học và bệnh viện xây mới phải bảo đảm điều kiện "
            "tiếp cận cho người khuyết tật. Mỗi người dân hãy chung tay giúp đỡ để người khuyết "
            "tật vượt qua khó khăn, tự tin hòa nhập và đóng góp cho quê hương."
        ),
    },
    {
        "slug": "binh-dang-gioi-kon-ray",
        "title_vi": "Báo cáo thực hiện bình đẳng giới và Công ước CEDAW tại huyện Kon Rẫy",
        "title_en": "Report on gender equality and the CEDAW Convention in Kon Rẫy district",
        "date": "2022-03-08",
        "text": (
            "Thực hiện Luật Bình đẳng giới và Công ước về xóa bỏ mọi hình thức phân biệt đối xử "
            "với phụ nữ, huyện Kon Rẫy đã lồng ghép nội dung bình đẳng giới vào các cuộc họp "
            "thôn, sinh hoạt chi hội phụ nữ và các buổi phát thanh bằng tiếng Ba Na, tiếng Xơ "
            "Đăng. Tỷ lệ nữ tham gia cấp ủy, Hội đồng nhân dân cấp xã nhiệm kỳ này tăng so với "
            "nhiệm kỳ trước. Nhiều phụ nữ dân tộc thiểu số được vay vốn ưu đãi để phát triển "
            "chăn nuôi, trồng cà phê, sâm dây và dệt thổ cẩm, từng bước tự chủ về kinh tế. Mô "
            "hình “Địa chỉ tin cậy ở cộng đồng” được duy trì tại các xã Đắk Ruồng, Tân Lập và "
            "Đắk Tờ Re, kịp thời hỗ trợ phụ nữ và trẻ em bị bạo lực gia đình. Tuy vậy, định "
            "kiến giới trong một bộ phận người dân vẫn còn; tình trạng tảo hôn, hôn nhân cận "
            "huyết thống chưa chấm dứt hẳn. Thời gian tới, huyện tiếp tục đẩy mạnh truyền thông "
            "trực tiếp tại thôn, làng, phát huy vai trò của già làng, người có uy tín và của "
            "nam giới trong việc chia sẻ công việc gia đình."
        ),
    },
    {
        "slug": "giam-ngheo-tu-mo-rong",
        "title_vi": "Giảm nghèo bền vững ở các xã đồng bào dân tộc thiểu số huyện Tu Mơ Rông",
        "title_en": "Sustainable poverty reduction in the ethnic-minority communes "
        "of Tu Mơ Rông district",
        "date": "2018",
        "text": (
            "Tu Mơ Rông là huyện vùng cao, đồng bào Xơ Đăng chiếm phần lớn dân số. Những năm "
            "qua, cùng với các chương trình mục tiêu quốc gia, huyện đã hỗ trợ người dân giống "
            "sâm Ngọc Linh, cây dược liệu, bò sinh sản và xây dựng nhà ở cho hộ nghèo. Đường "
            "giao thông đến trung tâm các xã được cứng hóa, điện lưới quốc gia đã về đến hầu "
            "hết thôn, làng. Trạm y tế xã có bác sĩ hoặc y sĩ thường trực; trẻ em trong độ tuổi "
            "được đến trường, nhiều em được học tại các trường phổ thông dân tộc bán trú. Nhờ "
            "sự hỗ trợ của Nhà nước và sự nỗ lực của chính người dân, tỷ lệ hộ nghèo giảm qua "
            "từng năm. Tuy nhiên, kết quả giảm nghèo chưa thật sự bền vững, số hộ cận nghèo "
            "còn cao và nguy cơ tái nghèo khi gặp thiên tai, dịch bệnh vẫn hiện hữu. Công tác "
            "truyền thông cần giúp người dân hiểu rằng bảo đảm an sinh xã hội, quyền có mức "
            "sống thích đáng, quyền được học tập và được chăm sóc sức khỏe là những quyền con "
            "người được Hiến pháp năm 2013 và Công ước quốc tế về các quyền kinh tế, xã hội và "
            "văn hóa ghi nhận."
        ),
    },
    {
        "slug": "tu-do-tin-nguong-ton-giao",
        "title_vi": "Tuyên truyền Luật Tín ngưỡng, tôn giáo",
        "title_en": "Communicating the Law on Belief and Religion",
        "date": "2018-01",
        "text": (
            "Luật Tín ngưỡng, tôn giáo được Quốc hội thông qua năm 2016 và có hiệu lực từ ngày "
            "1 tháng 1 năm 2018. Luật khẳng định mọi người có quyền tự do tín ngưỡng, tôn giáo, "
            "theo hoặc không theo một tôn giáo nào; các tôn giáo bình đẳng trước pháp luật. Trên "
            "địa bàn tỉnh Kon Tum có Công giáo, Phật giáo, Tin Lành, Cao Đài cùng với tín "
            "ngưỡng truyền thống của đồng bào các dân tộc Ba Na, Xơ Đăng, Gia Rai, Giẻ Triêng, "
            "Brâu, Rơ Măm. Ban Tôn giáo tỉnh đã phối hợp với chức sắc, chức việc các tôn giáo "
            "tổ chức hội nghị phổ biến Luật cho cán bộ cấp xã và người có uy tín. Các cơ sở tôn "
            "giáo được tạo điều kiện sinh hoạt theo đúng quy định; lễ hội truyền thống như lễ "
            "mừng lúa mới, lễ cúng máng nước được khôi phục và gìn giữ. Đồng thời, Nhân dân "
            "được vận động nâng cao cảnh giác, không để kẻ xấu lợi dụng tín ngưỡng, tôn giáo "
            "gây chia rẽ khối đại đoàn kết toàn dân tộc. Tôn trọng và bảo đảm quyền tự do tín "
            "ngưỡng, tôn giáo góp phần xây dựng đời sống văn hóa lành mạnh ở cơ sở."
        ),
    },
    {
        "slug": "quyen-hoc-tap-ia-hdrai",
        "title_vi": "Bảo đảm quyền học tập của trẻ em ở huyện Ia H'Drai",
        "title_en": "Securing children's right to education in Ia H'Drai district",
        "date": "2020-09-05",
        "text": (
            "Ia H'Drai là huyện biên giới được thành lập năm 2015, dân cư phần lớn từ nhiều địa "
            "phương đến lập nghiệp. Năm học mới, toàn huyện có thêm phòng học kiên cố và nhà ở "
            "bán trú cho học sinh ở các xã Ia Tơi, Ia Dom và Ia Dal. Ngành giáo dục phối hợp "
            "với các đồn biên phòng vận động học sinh bỏ học trở lại lớp, tặng sách vở, áo ấm "
            "và xe đạp cho các em có hoàn cảnh khó khăn. Chương trình “Nâng bước em tới trường” "
            "của bộ đội biên phòng nhận đỡ đầu nhiều học sinh nghèo. Giáo viên được tăng cường "
            "từ các huyện khác, nhiều thầy cô tình nguyện ở lại các điểm trường xa trung tâm. "
            "Quyền được học tập của trẻ em được Hiến pháp, Luật Trẻ em năm 2016 và Công ước về "
            "Quyền trẻ em ghi nhận; Nhà nước có chính sách miễn, giảm học phí và hỗ trợ tiền "
            "ăn, tiền nhà ở cho học sinh dân tộc thiểu số. Thách thức vẫn còn lớn: điện, nước "
            "sạch và sóng điện thoại chưa phủ khắp, nhiều em phải đi bộ hàng giờ đến trường "
            "trong mùa mưa."
        ),
    },
    {
        "slug": "y-te-co-so-kon-plong",
        "title_vi": "Báo cáo tình hình y tế cơ sở ở huyện Kon Plông",
        "title_en": "Report on grassroots health care in Kon Plông district",
        "date": "199X",
        "text": (
            "Trong những năm qua, được sự quan tâm của Nhà nước, mạng lưới y tế cơ sở ở huyện "
            "Kon Plông từng bước được củng cố. Các xã đều có trạm y tế, tuy nhiên nhiều trạm "
            "còn tạm bợ, thiếu thuốc và thiếu cán bộ có chuyên môn. Bệnh sốt rét vẫn là mối đe "
            "dọa lớn đối với sức khỏe đồng bào Xơ Đăng, Ba Na, nhất là vào mùa mưa. Đội phòng "
            "chống sốt rét của huyện đã phun thuốc, tẩm màn và cấp thuốc điều trị đến tận thôn, "
            "làng. Chương trình tiêm chủng mở rộng được triển khai, phần lớn trẻ em dưới một "
            "tuổi được tiêm đủ sáu loại vắc xin. Cán bộ y tế vận động bà con ăn chín, uống sôi, "
            "làm nhà vệ sinh và đưa người ốm đến trạm xá thay vì chỉ cúng bái. Đường sá đi lại "
            "khó khăn, nhiều làng cách trung tâm xã cả ngày đường đi bộ, nên việc khám chữa "
            "bệnh còn rất hạn chế. Huyện kiến nghị tỉnh tăng cường bác sĩ, bổ sung thuốc thiết "
            "yếu và đào tạo y tá thôn bản là người dân tộc tại chỗ."
        ),
    },
    {
        "slug": "trien-lam-anh-quyen-con-nguoi",
        "title_vi": "Thông báo tổ chức triển lãm ảnh và tài liệu lưu trữ về quyền con người",
        "title_en": "Notice of an exhibition of photographs and archival documents on human rights",
        "date": "2024-12-10",
        "text": (
            "Hưởng ứng Ngày Quyền con người thế giới 10 tháng 12, Sở Thông tin và Truyền thông "
            "phối hợp với Bảo tàng tỉnh và Trung tâm Lưu trữ lịch sử tỉnh tổ chức triển lãm ảnh "
            "và tài liệu lưu trữ với chủ đề “Quyền con người ở Kon Tum”. Triển lãm giới thiệu "
            "hơn 150 bức ảnh và tài liệu, chia thành ba phần: thành tựu bảo đảm quyền con người "
            "ở địa phương; quyền của các nhóm dễ bị tổn thương như phụ nữ, trẻ em, người khuyết "
            "tật, người cao tuổi; và đời sống văn hóa, tín ngưỡng của đồng bào các dân tộc. "
            "Nhiều tư liệu lần đầu được công bố, trong đó có ảnh về các lớp xóa mù chữ ở huyện "
            "Sa Thầy, Ngọc Hồi những năm chín mươi và hồ sơ về các công trình nước sạch ở huyện "
            "Đắk Hà, Đắk Tô. Song song với triển lãm trực tiếp, toàn bộ hình ảnh và tài liệu "
            "được số hóa, có chú thích bằng tiếng Việt, tiếng Anh và được đăng tải trên Cổng "
            "thông tin điện tử của tỉnh. Các trường học được khuyến khích đưa học sinh đến tham "
            "quan như một hoạt động ngoại khóa. Thời gian mở cửa từ 7 giờ 30 đến 17 giờ hằng "
            "ngày, kể cả thứ Bảy và Chủ nhật."
        ),
    },
    {
        "slug": "cong-uoc-chong-tra-tan",
        "title_vi": "Phổ biến Công ước chống tra tấn trong lực lượng Công an tỉnh",
        "title_en": "Disseminating the Convention against Torture among the provincial police",
        "date": "2019-06",
        "text": (
            "Việt Nam là thành viên của Công ước chống tra tấn và các hình thức đối xử hoặc "
            "trừng phạt tàn bạo, vô nhân đạo hoặc hạ nhục con người từ năm 2015. Để thực hiện "
            "nghiêm túc nghĩa vụ của quốc gia thành viên, Công an tỉnh Kon Tum đã tổ chức các "
            "lớp tập huấn về nội dung Công ước và các quy định có liên quan của Bộ luật Tố tụng "
            "hình sự cho cán bộ điều tra, cán bộ quản lý trại tạm giam, nhà tạm giữ. Học viên "
            "được quán triệt nguyên tắc nghiêm cấm mọi hành vi bức cung, dùng nhục hình; lời "
            "khai có được do bức cung, dùng nhục hình không được dùng làm chứng cứ. Người bị tạm "
            "giữ, tạm giam có quyền được bảo đảm chế độ ăn, ở, khám chữa bệnh, được gặp thân "
            "nhân và người bào chữa theo quy định. Phòng hỏi cung được lắp đặt thiết bị ghi âm, "
            "ghi hình. Cùng với tập huấn, Viện kiểm sát nhân dân tỉnh tăng cường kiểm sát việc "
            "tạm giữ, tạm giam, kịp thời phát hiện và kiến nghị khắc phục vi phạm. Qua đó, ý "
            "thức tôn trọng quyền con người, quyền công dân trong hoạt động tư pháp được nâng "
            "lên rõ rệt."
        ),
    },
    {
        "slug": "dan-toc-brau-ro-mam",
        "title_vi": "Hỗ trợ phát triển dân tộc Brâu và Rơ Măm",
        "title_en": "Supporting the development of the Brâu and Rơ Măm peoples",
        "date": "2021-06",
        "text": (
            "Brâu và Rơ Măm là hai dân tộc thiểu số rất ít người sinh sống tập trung ở tỉnh Kon "
            "Tum: người Brâu ở làng Đắk Mế, xã Bờ Y, huyện Ngọc Hồi; người Rơ Măm ở làng Le, xã "
            "Mô Rai, huyện Sa Thầy. Thực hiện Đề án hỗ trợ phát triển kinh tế – xã hội các dân "
            "tộc thiểu số rất ít người giai đoạn 2016–2025, tỉnh đã đầu tư đường bê tông, nhà "
            "sinh hoạt cộng đồng, công trình nước sinh hoạt và hỗ trợ giống cây trồng, vật nuôi "
            "cho các hộ gia đình. Trẻ em được hỗ trợ ăn trưa và học bổng; thanh niên được học "
            "nghề và giới thiệu việc làm. Chính quyền cũng chú trọng bảo tồn tiếng nói, nhạc cụ "
            "truyền thống, nghề dệt và nghề đan lát của hai dân tộc. Bình đẳng giữa các dân "
            "tộc, không phân biệt đối xử vì lý do chủng tộc, màu da, nguồn gốc dân tộc là "
            "nguyên tắc được Hiến pháp khẳng định và phù hợp với Công ước quốc tế về xóa bỏ mọi "
            "hình thức phân biệt chủng tộc. Việc đánh giá kết quả thực hiện Đề án cần lắng "
            "nghe ý kiến của chính người dân trong làng."
        ),
    },
]


def text_by_slug(slug: str) -> dict:
    """The entry of `VIETNAMESE_TEXTS` with this slug."""
    for entry in VIETNAMESE_TEXTS:
        if entry["slug"] == slug:
            return entry
    raise KeyError(slug)


# --------------------------------------------------------------------------------------------
# Noise, drawn from a seeded generator (Pillow's effect_noise uses C rand(), which is not)


def _gauss_lut(sigma: float, centre: int = 64) -> list[int]:
    """Maps uniform bytes to a Gaussian of `sigma` around `centre` (removed later by an offset)."""
    normal = NormalDist()
    return [
        max(0, min(255, round(sigma * normal.inv_cdf((v + 0.5) / 256)) + centre))
        for v in range(256)
    ]


def _noise(rng: random.Random, size: tuple[int, int], lut: list[int]) -> Image.Image:
    """A mode "L" noise image whose values are `lut` applied to uniform random bytes."""
    width, height = size
    return Image.frombytes("L", size, rng.randbytes(width * height)).point(lut)


def _add_noise(image: Image.Image, noise: Image.Image, centre: int = 64) -> Image.Image:
    if image.mode != noise.mode:
        noise = Image.merge(image.mode, [noise] * len(image.getbands()))
    return ImageChops.add(image, noise, 1.0, -centre)


# --------------------------------------------------------------------------------------------
# Photos


def _mix(a: tuple[int, ...], b: tuple[int, ...], t: float) -> tuple[int, ...]:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))


def _jitter(rng: random.Random, colour: tuple[int, ...], amount: int) -> tuple[int, ...]:
    return tuple(max(0, min(255, c + rng.randint(-amount, amount))) for c in colour)


def _ridge(
    width: int, base: float, amp: float, waves: list[tuple[float, float, float]]
) -> list[tuple[float, float]]:
    """Points along a ridge line: a sum of sine waves (frequency, phase, weight) above `base`."""
    step = max(2, width // 100)
    points = []
    for x in range(0, width + step, step):
        swell = sum(w * math.sin(f * math.tau * x / width + p) for f, p, w in waves)
        points.append((x, base - amp - amp / 2 * swell))
    return points


def _scene(width: int, height: int, rng: random.Random) -> Image.Image:
    """A landscape of the highlands (sky, sun, hills, trees, a communal house), drawn small.

    Drawn at a quarter of the size and enlarged, so edges are soft and areas smooth, as in a
    photograph, and a JPEG of it has the size of a real one.
    """
    sw, sh = max(width // 4, 48), max(height // 4, 48)
    horizon = sh * rng.uniform(0.35, 0.55)
    evening = rng.random() < 0.3
    top = _jitter(rng, (70, 100, 150) if evening else (55, 120, 200), 20)
    low = _jitter(rng, (235, 180, 130) if evening else (215, 225, 230), 15)
    gradient = Image.linear_gradient("L").resize((sw, sh))
    sky_top, sky_low = Image.new("RGB", (sw, sh), top), Image.new("RGB", (sw, sh), low)
    img = Image.composite(sky_low, sky_top, gradient)

    # Sun and clouds, blurred onto the sky.
    light = Image.new("L", (sw, sh), 0)
    draw = ImageDraw.Draw(light)
    sx, sy = rng.uniform(0.1, 0.9) * sw, rng.uniform(0.05, 0.3) * sh
    r = sh * rng.uniform(0.03, 0.06)
    draw.ellipse((sx - 3 * r, sy - 3 * r, sx + 3 * r, sy + 3 * r), fill=60)
    draw.ellipse((sx - r, sy - r, sx + r, sy + r), fill=255)
    for _ in range(rng.randint(2, 6)):
        cx, cy = rng.uniform(0, sw), rng.uniform(0.05, 0.35) * sh
        for _ in range(rng.randint(3, 6)):
            dx, dy = rng.uniform(-0.06, 0.06) * sw, rng.uniform(-0.02, 0.02) * sh
            rx, ry = rng.uniform(0.03, 0.07) * sw, rng.uniform(0.02, 0.04) * sh
            draw.ellipse((cx + dx - rx, cy + dy - ry, cx + dx + rx, cy + dy + ry), fill=170)
    light = light.filter(ImageFilter.GaussianBlur(max(1.0, sh / 60)))
    img = Image.composite(Image.new("RGB", (sw, sh), (255, 246, 225)), img, light)

    # Ranges of hills, hazy blue far away, green near.
    draw = ImageDraw.Draw(img)
    far, near = _mix(top, (140, 150, 160), 0.6), _jitter(rng, (55, 100, 40), 15)
    layers = rng.randint(3, 5)
    for k in range(layers):
        t = k / (layers - 1)
        colour = _jitter(rng, _mix(far, near, t), 8)
        base = horizon + (sh - horizon) * 0.55 * t
        amp = sh * rng.uniform(0.03, 0.10)
        waves = [
            (rng.uniform(0.5, 4.0), rng.uniform(0, math.tau), rng.uniform(0.3, 1.0))
            for _ in range(3)
        ]
        ridge = _ridge(sw, base, amp, waves)
        draw.polygon([(0, sh), *ridge, (sw, sh)], fill=colour)
        if t >= 0.5:  # trees along the nearer ridges
            for _ in range(rng.randint(15, 45)):
                x, y = ridge[rng.randrange(len(ridge))]
                y += rng.uniform(0, sh * 0.06)
                size = rng.uniform(1.5, 4.0) * (1 + t) * sh / 250
                shade = _jitter(rng, _mix(colour, (10, 30, 10), 0.35), 10)
                draw.ellipse((x - size, y - 1.8 * size, x + size, y + 0.3 * size), fill=shade)

    # A communal house (nhà rông) or two: a tall thatched roof on stilts.
    for _ in range(rng.randint(0, 2)):
        hx, hy = rng.uniform(0.1, 0.9) * sw, sh * rng.uniform(0.78, 0.92)
        hw = sw * rng.uniform(0.04, 0.08)
        wood, thatch = _jitter(rng, (100, 72, 45), 10), _jitter(rng, (120, 95, 60), 15)
        for px in (hx - hw / 2.2, hx, hx + hw / 2.2):
            stilt = (px, hy - hw * 0.3, px, hy + hw * 0.15)
            draw.line(stilt, fill=wood, width=max(1, round(hw / 25)))
        draw.rectangle((hx - hw / 2, hy - hw * 0.7, hx + hw / 2, hy - hw * 0.3), fill=wood)
        draw.polygon(
            [(hx - hw * 0.65, hy - hw * 0.65), (hx + hw * 0.65, hy - hw * 0.65),
             (hx + hw * 0.12, hy - hw * 2.3), (hx - hw * 0.12, hy - hw * 2.3)],
            fill=thatch,
        )  # fmt: skip

    # Mottled texture (foliage, grass, film grain at this scale), then a soft vignette.
    img = _add_noise(img, _noise(rng, (sw, sh), _gauss_lut(5.0)))
    vignette = Image.radial_gradient("L").resize((sw, sh)).point(lambda v: 255 - v * 60 // 255)
    return ImageChops.multiply(img, Image.merge("RGB", [vignette] * 3))


def _exif_datetime(value: str) -> tuple[str, str | None]:
    """'2023-05-05T09:30:00[+07:00]' -> ('2023:05:05 09:30:00', '+07:00' or None)."""
    moment = datetime.fromisoformat(value)
    offset = None
    if moment.utcoffset() is not None:
        minutes = int(moment.utcoffset().total_seconds()) // 60
        sign = "-" if minutes < 0 else "+"
        offset = f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return moment.strftime("%Y:%m:%d %H:%M:%S"), offset


def _dms(value: float) -> tuple[TiffImagePlugin.IFDRational, ...]:
    """Decimal degrees -> (degrees, minutes, seconds) rationals, seconds to 1/10000."""
    tenths = round(abs(value) * 3600 * 10000)  # in 1/10000 of an arc second
    degrees, rest = divmod(tenths, 3600 * 10000)
    minutes, seconds = divmod(rest, 60 * 10000)
    return (
        TiffImagePlugin.IFDRational(degrees, 1),
        TiffImagePlugin.IFDRational(minutes, 1),
        TiffImagePlugin.IFDRational(Fraction(seconds, 10000)),
    )


def _text_value(value: str) -> bytes:
    # EXIF "ASCII" fields hold UTF-8 in practice (cameras, exiftool); Pillow would turn every
    # Vietnamese letter into "?" if given a str, so it gets the bytes.
    return _nfc(value).encode("utf-8")


def _exif(
    *, width: int, height: int, taken: str | None, make: str, model: str, artist: str | None,
    copyright: str | None, description: str | None, gps: tuple[float, float] | None,
    orientation: int,
) -> Image.Exif:  # fmt: skip
    exif = Image.Exif()
    exif[TAG_MAKE] = make
    exif[TAG_MODEL] = model
    exif[TAG_ORIENTATION] = orientation
    for tag, value in ((TAG_ARTIST, artist), (TAG_COPYRIGHT, copyright),
                       (TAG_IMAGE_DESCRIPTION, description)):  # fmt: skip
        if value:
            exif[tag] = _text_value(value)
    sub = exif.get_ifd(IFD_EXIF)
    sub[TAG_PIXEL_X_DIMENSION] = width
    sub[TAG_PIXEL_Y_DIMENSION] = height
    if taken:
        stamp, offset = _exif_datetime(taken)
        exif[TAG_DATETIME] = stamp
        sub[TAG_DATETIME_ORIGINAL] = stamp
        sub[TAG_DATETIME_DIGITIZED] = stamp
        if offset:
            sub[TAG_OFFSET_TIME_ORIGINAL] = offset
    if gps is not None:
        lat, lon = gps
        location = exif.get_ifd(IFD_GPS)
        location[GPS_VERSION_ID] = b"\x02\x03\x00\x00"
        location[GPS_LATITUDE_REF] = "N" if lat >= 0 else "S"
        location[GPS_LATITUDE] = _dms(lat)
        location[GPS_LONGITUDE_REF] = "E" if lon >= 0 else "W"
        location[GPS_LONGITUDE] = _dms(lon)
        location[GPS_MAP_DATUM] = "WGS-84"
    return exif


def xmp_packet(
    *, title: str | None = None, keywords: list[str] | None = None, creator: str | None = None,
    description: str | None = None, rights: str | None = None,
) -> bytes:  # fmt: skip
    """An XMP packet with Dublin Core title, subject, creator, description and rights."""

    def alt(name: str, value: str) -> str:
        return (f'   <dc:{name}><rdf:Alt><rdf:li xml:lang="x-default">{escape(_nfc(value))}'
                f"</rdf:li></rdf:Alt></dc:{name}>\n")  # fmt: skip

    body = ""
    if title:
        body += alt("title", title)
    if description:
        body += alt("description", description)
    if creator:
        item = f"<rdf:li>{escape(_nfc(creator))}</rdf:li>"
        body += f"   <dc:creator><rdf:Seq>{item}</rdf:Seq></dc:creator>\n"
    if keywords:
        items = "".join(f"<rdf:li>{escape(_nfc(k))}</rdf:li>" for k in keywords)
        body += f"   <dc:subject><rdf:Bag>{items}</rdf:Bag></dc:subject>\n"
    if rights:
        body += alt("rights", rights)
    packet = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
        f"{body}"
        "  </rdf:Description>\n"
        " </rdf:RDF>\n"
        "</x:xmpmeta>\n"
        '<?xpacket end="w"?>'
    )
    return packet.encode("utf-8")


def make_photo(
    path: Path, *, width: int = 1200, height: int = 800, seed: int = 0,
    taken: str | None = "2023-05-05T09:30:00", make: str = "Canon", model: str = "Canon EOS 80D",
    artist: str | None = None, copyright: str | None = None, description: str | None = None,
    gps: tuple[float, float] | None = None, orientation: int = 1,
    xmp_title: str | None = None, keywords: list[str] | None = None, quality: int = 85,
) -> Path:  # fmt: skip
    """Write a JPEG that looks like a photograph, with EXIF (and XMP if a title or keywords).

    `width` x `height` are the stored pixels. With an `orientation` other than 1 the scene is
    stored turned so that it shows upright once the tag is honoured (6: a portrait shot).
    `taken` is ISO 8601; an offset in it ("+07:00") is written as OffsetTimeOriginal.
    `gps` is (latitude, longitude) in decimal degrees, written as DMS to 1/10000 of a second.
    """
    if orientation not in range(1, 9):
        raise ValueError(f"EXIF orientation must be 1..8, not {orientation}")
    rng = random.Random(seed)
    upright = (height, width) if orientation >= 5 else (width, height)
    # Bilinear is half the cost of bicubic here, and the grain hides the difference.
    img = _scene(*upright, rng).resize(upright, Image.Resampling.BILINEAR)
    img = _add_noise(img, _noise(rng, upright, _gauss_lut(2.5)))  # sensor grain
    if orientation != 1:
        img = img.transpose(_INVERSE_ORIENTATION[orientation])
    exif = _exif(
        width=width, height=height, taken=taken, make=make, model=model, artist=artist,
        copyright=copyright, description=description, gps=gps, orientation=orientation,
    )  # fmt: skip
    options: dict = {"quality": quality, "exif": exif, "dpi": (72, 72)}
    if xmp_title or keywords:
        options["xmp"] = xmp_packet(
            title=xmp_title, keywords=keywords, creator=artist, description=description,
            rights=copyright,
        )  # fmt: skip
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, "JPEG", **options)
    return path


# --------------------------------------------------------------------------------------------
# Scanned pages


def a4_size(dpi: int) -> tuple[int, int]:
    """The pixel size of an A4 page at `dpi` (2480 x 3508 at 300 dpi)."""
    return round(A4_MM[0] / MM_PER_INCH * dpi), round(A4_MM[1] / MM_PER_INCH * dpi)


def font_path(font: str) -> Path:
    """The file of a DejaVu font named like "DejaVuSerif" or "DejaVuSansCondensed"."""
    path = FONT_DIR / f"{font.removesuffix('.ttf')}.ttf"
    if not path.is_file():
        raise ValueError(f"no font {font!r} in {FONT_DIR}")
    return path


_GLYPHS: dict[str, dict[str, bool]] = {}


def _missing_glyphs(font: str, text: str) -> list[str]:
    """The letters of `text` that `font` has no glyph of.

    DejaVu Sans Mono, for one, lacks many Vietnamese letters (ả, ế, ố, ở ...).
    """
    path = font_path(font)
    known = _GLYPHS.setdefault(path.name, {})
    letters = {c for c in text if not c.isspace()}
    if new := letters - known.keys():
        face = ImageFont.truetype(str(path), 24, layout_engine=ImageFont.Layout.BASIC)

        def drawn(char: str) -> bytes:
            canvas = Image.new("L", (64, 64))
            ImageDraw.Draw(canvas).text((8, 8), char, font=face, fill=255)
            return canvas.tobytes()

        notdef = drawn("\U000f0000")  # a private-use code point: no font has a glyph for it
        known.update((char, drawn(char) != notdef) for char in new)
    return sorted(c for c in letters if not known[c])


def _wrap(paragraph: str, face: ImageFont.FreeTypeFont, width: float, indent: float) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in paragraph.split():
        candidate = f"{line} {word}" if line else word
        room = width - (indent if not lines else 0)
        if line and face.getlength(candidate) > room:
            lines.append(line)
            line = word
        else:
            line = candidate
    if line:
        lines.append(line)
    return lines


def _layout(
    text: str, face: ImageFont.FreeTypeFont, width: float, indent: float
) -> list[tuple[str, str]]:
    """(kind, text) per line: kind "indent" (a paragraph's first line), "line", "center",
    "blank" (an empty line) or "gap" (the space after a paragraph). A paragraph in capitals
    is a heading, centred."""
    items: list[tuple[str, str]] = []
    for paragraph in text.split("\n"):
        paragraph = paragraph.strip()
        if not paragraph:
            if items and items[-1][0] == "gap":
                items.pop()
            items.append(("blank", ""))
            continue
        if paragraph.isupper():
            items += [("center", line) for line in _wrap(paragraph, face, width, 0)]
        else:
            lines = _wrap(paragraph, face, width, indent)
            items += [("indent" if i == 0 else "line", line) for i, line in enumerate(lines)]
        items.append(("gap", ""))
    while items and items[-1][0] in ("gap", "blank"):
        items.pop()
    return items


def _split_columns(heights: list[int], columns: int) -> list[int]:
    """Where each column starts in the list of lines, the columns balanced by height."""
    if columns == 1:
        return [0]
    target, done = sum(heights) / 2, 0
    for i, h in enumerate(heights):
        if done + h / 2 > target:
            return [0, i]
        done += h
    return [0, len(heights)]


def make_page(
    text: str, *, font: str = "DejaVuSerif", size_pt: int = 12, dpi: int = 300,
    columns: int = 1, seed: int = 0, scan_noise: bool = True,
) -> Image.Image:  # fmt: skip
    """An A4 page of `text` in mode "L" at `dpi`, looking scanned when `scan_noise`.

    Lines of `text` are paragraphs (first line indented; all-capitals ones centred as
    headings); blank lines add space. Margins are those of a Vietnamese administrative document
    (30 mm left, 20 mm elsewhere). A scan has a slightly grey, unevenly lit background, grain,
    a few specks of dust and a skew of at most 0.3 degrees, all clean enough for OCR.
    The image's `info["dpi"]` holds the resolution, for the writers below.
    Raises ValueError when the text does not fit on the page.
    """
    if columns not in (1, 2):
        raise ValueError(f"columns must be 1 or 2, not {columns}")
    text = _nfc(text)
    rng = random.Random(seed)
    width, height = a4_size(dpi)
    mm = dpi / MM_PER_INCH
    left, right, top, bottom, gutter = 30 * mm, 20 * mm, 20 * mm, 20 * mm, 8 * mm
    column_width = (width - left - right - gutter * (columns - 1)) / columns
    face = ImageFont.truetype(str(font_path(font)), size=size_pt * dpi / 72)
    ascent, descent = face.getmetrics()
    line_height = round((ascent + descent) * 1.08)

    missing = _missing_glyphs(font, text)
    if missing:
        # Pillow would compose them from a base letter and a combining mark, misplaced.
        raise ValueError(f"{font} has no glyph for {''.join(missing)!r}")
    items = _layout(text, face, column_width, indent=10 * mm)
    heights = [line_height // 3 if kind == "gap" else line_height for kind, _ in items]
    starts = _split_columns(heights, columns)
    ends = [*starts[1:], len(items)]
    if max(sum(heights[a:b]) for a, b in zip(starts, ends, strict=True)) > height - top - bottom:
        raise ValueError(f"the text does not fit on one A4 page at {size_pt} pt in {font}")

    paper = rng.randint(228, 242) if scan_noise else 255
    ink = rng.randint(18, 45) if scan_noise else 0
    page = Image.new("L", (width, height), paper)
    draw = ImageDraw.Draw(page)
    for column, (start, end) in enumerate(zip(starts, ends, strict=True)):
        x0, y = left + column * (column_width + gutter), top
        for (kind, line), h in zip(items[start:end], heights[start:end], strict=True):
            if kind in ("gap", "blank"):
                y += h
                continue
            x = x0 + (10 * mm if kind == "indent" else 0)
            if kind == "center":
                x = x0 + (column_width - face.getlength(line)) / 2
            draw.text((round(x), round(y)), line, font=face, fill=ink)
            y += h

    if scan_noise:
        page = _scan(page, rng, paper, dpi)
    page.info["dpi"] = (dpi, dpi)
    return page


# Grain on one pixel in 25, a few levels either way: Gaussian grain on every pixel made the PNGs
# of a page six times larger and four times slower to write, for nothing a reader would see.
_SPECKLE = [60 if v < 5 else 69 if v > 250 else 64 for v in range(256)]


def _scan(page: Image.Image, rng: random.Random, paper: int, dpi: int) -> Image.Image:
    """What a flatbed scanner adds: skew, uneven light, dust and grain."""
    page = page.rotate(rng.uniform(-0.3, 0.3), resample=Image.Resampling.BILINEAR, fillcolor=paper)
    # Light falls off unevenly: a few random levels, enlarged smoothly over the page.
    light = Image.frombytes("L", (3, 4), rng.randbytes(12)).point(lambda v: 60 + v * 8 // 256)
    page = _add_noise(page, light.resize(page.size, Image.Resampling.BICUBIC))
    draw = ImageDraw.Draw(page)
    scale = dpi / 300
    for _ in range(rng.randint(4, 16)):
        x, y = rng.uniform(0, page.width), rng.uniform(0, page.height)
        r = rng.uniform(0.6, 2.2) * scale
        draw.ellipse((x - r, y - r, x + r, y + r), fill=rng.randint(70, 170))
    return _add_noise(page, _noise(rng, page.size, _SPECKLE))


# --------------------------------------------------------------------------------------------
# Multi-page files


def _dpi(page: Image.Image) -> tuple[float, float]:
    return page.info.get("dpi", (300, 300))


def _bilevel(page: Image.Image) -> Image.Image:
    # A threshold, not Pillow's default dithering, which would speckle the paper.
    return page.convert("L").point(lambda v: 255 if v > 150 else 0, "1")


def make_multipage_tiff(
    path: Path, pages: list[Image.Image], compression: str = "tiff_lzw"
) -> Path:
    """Write `pages` as one TIFF, one frame a page; "group4"/"group3" make them bilevel."""
    if not pages:
        raise ValueError("a TIFF needs at least one page")
    bilevel = compression in ("group3", "group4")
    frames = [_bilevel(p) for p in pages] if bilevel else list(pages)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frames[0].save(
        path, "TIFF", save_all=True, append_images=frames[1:], compression=compression,
        dpi=_dpi(pages[0]),
    )  # fmt: skip
    return path


def make_pdf(
    path: Path, pages: list[Image.Image], *, dpi: int = 300, title: str | None = None,
    author: str | None = None,
) -> Path:  # fmt: skip
    """Write `pages` as an image-only ("scanned") PDF, with `title` and `author` in its info.

    The dates in the info are fixed (`PDF_DATE`) so the file is the same from run to run.
    """
    if not pages:
        raise ValueError("a PDF needs at least one page")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pages[0].save(
        path, "PDF", save_all=True, append_images=list(pages[1:]), resolution=float(dpi),
        title=_nfc(title) if title else None, author=_nfc(author) if author else None,
        creationDate=PDF_DATE, modDate=PDF_DATE,
    )  # fmt: skip
    return path


# --------------------------------------------------------------------------------------------
# The demo collection

KON_TUM_CITY = (14.3545, 108.0076)
KON_KLOR = (14.3436, 108.0194)
DAK_GLEI = (15.0850, 107.7330)
SA_THAY = (14.4170, 107.7960)
BO_Y_NGOC_HOI = (14.7200, 107.6090)
MANG_DEN_KON_PLONG = (14.6150, 108.2900)

RIGHTS_INC = "http://rightsstatements.org/vocab/InC/1.0/"
RIGHTS_INC_EDU = "http://rightsstatements.org/vocab/InC-EDU/1.0/"
RIGHTS_CNE = "http://rightsstatements.org/vocab/CNE/1.0/"
CC_BY = "http://creativecommons.org/licenses/by/4.0/"
CC_BY_NC = "http://creativecommons.org/licenses/by-nc/4.0/"

PHOTO_SIZE = (1600, 1067)

# What the camera wrote, then the archivist's row in photos/metadata.csv (None: no row, so the
# photo keeps only what is embedded in it).
DEMO_PHOTOS: list[tuple[dict, dict | None]] = [
    (
        {"file": "DC40_0012.JPG", "taken": "1995-11-20T19:05:00",
         "make": "EASTMAN KODAK COMPANY", "model": "KODAK DC40 DIGITAL CAMERA"},
        {"title": "Lớp xóa mù chữ ở làng Kon Klor",
         "title_en": "Literacy class in Kon Klor village",
         "description": "Người dân làng Kon Klor học chữ vào buổi tối tại nhà rông.",
         "description_en": "Villagers of Kon Klor learn to read in the evening at the "
         "communal house.",
         "creator": "Nguyễn Văn Thành", "date": "1995-11-20",
         "subject": "xóa mù chữ;giáo dục;Ba Na", "language": "vie;bdq",
         "rights": RIGHTS_INC_EDU, "place": "Kon Klor, thành phố Kon Tum", "gps": KON_KLOR},
    ),
    (
        {"file": "IMG_0415.JPG", "taken": "2003-04-15T08:12:40", "make": "Canon",
         "model": "Canon PowerShot A70", "artist": "Trần Đức Minh", "gps": KON_TUM_CITY},
        {"title": "Khám sức khỏe cho trẻ em tại trạm y tế phường",
         "title_en": "Health check-ups for children at a ward health station",
         "description": "Cán bộ y tế khám sức khỏe và tiêm chủng cho trẻ em dưới năm tuổi.",
         "description_en": "Health workers examine and vaccinate children under five.",
         "creator": "Trần Đức Minh", "date": "2003-04", "subject": "y tế;quyền trẻ em;CRC",
         "language": "vie", "rights": RIGHTS_INC, "place": "Thành phố Kon Tum",
         "gps": KON_TUM_CITY},
    ),
    (
        {"file": "DSC_0087.JPG", "taken": "2009-11-20T10:15:00", "make": "NIKON CORPORATION",
         "model": "NIKON D90", "artist": "A Thuyên", "gps": DAK_GLEI,
         "xmp_title": "Tuyên truyền Công ước về Quyền trẻ em ở Đắk Glei",
         "keywords": ["quyền trẻ em", "CRC", "Đắk Glei", "Xơ Đăng"]},
        {"title": "Tuyên truyền Công ước về Quyền trẻ em ở Đắk Glei",
         "title_en": "Communicating the Convention on the Rights of the Child in Đắk Glei",
         "description": "Học sinh bán trú xã Đắk Man nghe giới thiệu Công ước về Quyền trẻ "
         "em. Ảnh có hình trẻ em, chỉ sử dụng nội bộ.",
         "description_en": "Boarding pupils of Đắk Man commune hear about the Convention on "
         "the Rights of the Child. It shows children: for internal use only.",
         "creator": "A Thuyên", "date": "2009-11-20",
         "subject": "quyền trẻ em;CRC;giáo dục;Xơ Đăng", "language": "vie;sed",
         "rights": RIGHTS_INC, "place": "Đắk Man, Đắk Glei", "gps": DAK_GLEI,
         "access": "restricted"},
    ),
    (
        {"file": "Nhà rông Kon Klor.jpg", "taken": "2012-09-02T16:40:00", "make": "SONY",
         "model": "DSC-W350", "artist": "Phạm Thị Lan", "gps": KON_KLOR},
        {"title": "Nhà rông Kon Klor", "title_en": "The Kon Klor communal house",
         "description": "Nhà rông làng Kon Klor bên dòng sông Đắk Bla, nơi sinh hoạt cộng "
         "đồng của người Ba Na.",
         "description_en": "The communal house of Kon Klor village by the Đắk Bla river, "
         "where the Ba Na community meets.",
         "creator": "Phạm Thị Lan", "date": "2012-09-02", "subject": "văn hóa;nhà rông;Ba Na",
         "language": "vie;bdq", "rights": CC_BY, "place": "Kon Klor, thành phố Kon Tum",
         "gps": KON_KLOR},
    ),
    (
        {"file": "IMG_5521.JPG", "taken": "2016-06-01T09:05:00", "make": "Canon",
         "model": "Canon EOS 80D", "artist": "Lê Quang Huy", "gps": SA_THAY, "orientation": 6},
        {"title": "Trao xe lăn cho người khuyết tật ở huyện Sa Thầy",
         "title_en": "Wheelchairs presented to persons with disabilities in Sa Thầy district",
         "description": "Hội Bảo trợ người khuyết tật và trẻ mồ côi tỉnh trao xe lăn tại thị "
         "trấn Sa Thầy.",
         "description_en": "The provincial association supporting persons with disabilities "
         "and orphans presents wheelchairs in Sa Thầy town.",
         "creator": "Lê Quang Huy", "date": "2016-06-01",
         "subject": "người khuyết tật;CRPD;an sinh xã hội", "language": "vie",
         "rights": CC_BY_NC, "place": "Sa Thầy, Kon Tum", "gps": SA_THAY},
    ),
    (
        {"file": "P1010234.JPG", "taken": "2019-03-08T14:20:00", "make": "Panasonic",
         "model": "DMC-FZ200", "artist": "Y Hoa", "copyright": "© 2019 Y Hoa",
         "description": "Phụ nữ Brâu dệt thổ cẩm trong ngày Quốc tế Phụ nữ 8 tháng 3.",
         "gps": BO_Y_NGOC_HOI, "xmp_title": "Phụ nữ Brâu dệt thổ cẩm ở làng Đắk Mế",
         "keywords": ["bình đẳng giới", "CEDAW", "Brâu", "Ngọc Hồi", "dệt thổ cẩm"]},
        None,
    ),
    (
        {"file": "IMG_20221210_093012.jpg", "taken": "2022-12-10T09:30:12+07:00",
         "make": "samsung", "model": "SM-A525F", "gps": MANG_DEN_KON_PLONG},
        {"title": "Hội nghị truyền thông về quyền con người ở huyện Kon Plông",
         "title_en": "A meeting on human rights communication in Kon Plông district",
         "description": "Báo cáo viên giới thiệu bảy công ước cốt lõi về quyền con người cho "
         "cán bộ xã và người có uy tín.",
         "description_en": "A speaker presents the seven core human rights conventions to "
         "commune officials and respected elders.",
         "creator": "Sở Thông tin và Truyền thông tỉnh Kon Tum", "date": "2022-12-10",
         "subject": "quyền con người;ICCPR;ICESCR;truyền thông", "language": "vie;sed",
         "rights": RIGHTS_INC_EDU, "place": "Măng Đen, Kon Plông", "gps": MANG_DEN_KON_PLONG},
    ),
    (
        {"file": "DSC09876.JPG", "taken": "2024-12-10T08:00:00+07:00", "make": "SONY",
         "model": "ILCE-7M3", "artist": "Lê Quang Huy",
         "copyright": "Sở Thông tin và Truyền thông tỉnh Kon Tum",
         "description": "Khai mạc triển lãm ảnh “Quyền con người ở Kon Tum”"},
        {"title": "Khai mạc triển lãm ảnh “Quyền con người ở Kon Tum”",
         "title_en": "Opening of the photo exhibition “Human rights in Kon Tum”",
         "description": "Đại biểu tham quan triển lãm tại Bảo tàng tỉnh nhân Ngày Quyền con "
         "người thế giới.",
         "description_en": "Guests visit the exhibition at the provincial museum on Human "
         "Rights Day.",
         "creator": "Lê Quang Huy", "date": "2024-12-10", "subject": "triển lãm;quyền con người",
         "language": "vie;eng", "rights": CC_BY, "place": "Bảo tàng tỉnh Kon Tum"},
    ),
]  # fmt: skip

# Who wrote each text, what it is about and where, for documents/metadata.csv and item.yaml.
DOCUMENT_FACTS: dict[str, tuple[str, str, str, str]] = {
    "ke-hoach-1297-truyen-thong-quyen-con-nguoi": (
        "Ủy ban nhân dân tỉnh Kon Tum",
        "quyền con người;truyền thông;ICCPR;ICESCR;CEDAW;ICERD;CRC;CRPD;CAT", "Kon Tum",
        RIGHTS_INC_EDU),
    "quyen-tre-em-dak-glei": (
        "Phòng Lao động – Thương binh và Xã hội huyện Đắk Glei",
        "quyền trẻ em;CRC;giáo dục;Xơ Đăng", "Đắk Glei, Kon Tum", RIGHTS_INC_EDU),
    "quyen-nguoi-khuyet-tat": (
        "Hội Bảo trợ người khuyết tật và trẻ mồ côi tỉnh Kon Tum",
        "người khuyết tật;CRPD;an sinh xã hội", "Kon Tum", CC_BY),
    "binh-dang-gioi-kon-ray": (
        "Ủy ban nhân dân huyện Kon Rẫy", "bình đẳng giới;CEDAW;Ba Na;Xơ Đăng",
        "Kon Rẫy, Kon Tum", RIGHTS_INC_EDU),
    "giam-ngheo-tu-mo-rong": (
        "Ủy ban nhân dân huyện Tu Mơ Rông", "giảm nghèo;ICESCR;Xơ Đăng",
        "Tu Mơ Rông, Kon Tum", RIGHTS_INC_EDU),
    "tu-do-tin-nguong-ton-giao": (
        "Ban Tôn giáo tỉnh Kon Tum",
        "tín ngưỡng;tôn giáo;ICCPR;Ba Na;Xơ Đăng;Gia Rai;Giẻ Triêng;Brâu;Rơ Măm", "Kon Tum",
        RIGHTS_INC_EDU),
    "quyen-hoc-tap-ia-hdrai": (
        "Phòng Giáo dục và Đào tạo huyện Ia H'Drai", "giáo dục;quyền trẻ em;CRC",
        "Ia H'Drai, Kon Tum", RIGHTS_INC_EDU),
    "y-te-co-so-kon-plong": (
        "Ủy ban nhân dân huyện Kon Plông", "y tế;ICESCR;Xơ Đăng;Ba Na", "Kon Plông, Kon Tum",
        RIGHTS_CNE),
    "trien-lam-anh-quyen-con-nguoi": (
        "Sở Thông tin và Truyền thông tỉnh Kon Tum", "triển lãm;quyền con người;lưu trữ",
        "Kon Tum", CC_BY),
    "cong-uoc-chong-tra-tan": (
        "Công an tỉnh Kon Tum", "CAT;tư pháp;quyền con người", "Kon Tum", RIGHTS_INC),
    "dan-toc-brau-ro-mam": (
        "Ban Dân tộc tỉnh Kon Tum", "ICERD;dân tộc thiểu số;Brâu;Rơ Măm", "Ngọc Hồi, Kon Tum",
        RIGHTS_INC_EDU),
}  # fmt: skip

# Single-page scans: (file, text slug, font, size in points, columns).
DEMO_PAGES: list[tuple[str, str, str, int, int]] = [
    ("ke-hoach-1297-2023.png", "ke-hoach-1297-truyen-thong-quyen-con-nguoi", "DejaVuSerif", 12, 1),
    ("bao-cao-quyen-tre-em-dak-glei-2019.tif", "quyen-tre-em-dak-glei", "DejaVuSans", 11, 1),
    ("to-roi-quyen-nguoi-khuyet-tat.png", "quyen-nguoi-khuyet-tat", "DejaVuSansCondensed", 14, 1),
    ("binh-dang-gioi-kon-ray-2022.tif", "binh-dang-gioi-kon-ray", "DejaVuSerif", 11, 2),
    ("tin-nguong-ton-giao-2018.png", "tu-do-tin-nguong-ton-giao", "DejaVuSansCondensed", 12, 1),
    ("giam-ngheo-tu-mo-rong-2018.tif", "giam-ngheo-tu-mo-rong", "DejaVuSerif", 13, 1),
]
DEMO_MULTIPAGE_TIFF = ("bao-cao-y-te-kon-plong-199x.tif", "y-te-co-so-kon-plong")
DEMO_PDF = ("cong-uoc-chong-tra-tan-2019.pdf", "cong-uoc-chong-tra-tan")
DEMO_COMPOUND = "trien-lam-anh-quyen-con-nguoi"


def _halves(text: str) -> tuple[str, str]:
    """`text` cut in two at the end of the sentence nearest its middle (by words)."""
    sentences = [s for s in text.replace(". ", ".\n").split("\n") if s]
    total, done = len(text.split()), 0
    for i, sentence in enumerate(sentences):
        done += len(sentence.split())
        if done >= total / 2:
            return " ".join(sentences[: i + 1]), " ".join(sentences[i + 1 :])
    return text, ""


def _long_date(edtf: str) -> str:
    """'2024-12-10' -> 'ngày 10 tháng 12 năm 2024'; '2019-06' -> 'tháng 6 năm 2019'."""
    parts = edtf.split("-")
    if len(parts) == 3:
        return f"ngày {int(parts[2])} tháng {int(parts[1])} năm {parts[0]}"
    if len(parts) == 2:
        return f"tháng {int(parts[1])} năm {parts[0]}"
    return f"năm {edtf}"


def _cover(entry: dict) -> str:
    """The first page of a multi-page document: who, what, where and when."""
    creator = DOCUMENT_FACTS[entry["slug"]][0]
    lines = [creator.upper(), "", "", "", "", "", "", entry["title_vi"].upper(), "", "", ""]
    if "X" not in entry["date"]:  # an undated draft says only where
        lines.append(f"Kon Tum, {_long_date(entry['date'])}")
    return "\n".join(lines)


def _heading(entry: dict, body: str) -> str:
    return f"{entry['title_vi'].upper()}\n\n{body}"


def _document_row(file: str, entry: dict, pages: int) -> dict[str, str]:
    creator, subject, place, rights = DOCUMENT_FACTS[entry["slug"]]
    first_sentence = entry["text"].split(". ")[0].rstrip(".") + "."
    return {
        "file": file, "title": entry["title_vi"], "title_en": entry["title_en"],
        "description": f"Bản quét ({pages} trang). {first_sentence}",
        "description_en": f"Scan ({pages} page{'s' if pages > 1 else ''}) of: "
        f"{entry['title_en']}.",
        "creator": creator, "date": entry["date"], "subject": subject, "language": "vie",
        "rights": rights, "place": place, "latitude": "", "longitude": "", "type": "Text",
        "access": "public",
    }  # fmt: skip


def _write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    # UTF-8 with a BOM, as a spreadsheet on the archivist's desk saves it and reads it back.
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def _save_page(page: Image.Image, path: Path) -> None:
    if path.suffix == ".png":
        page.save(path, "PNG", dpi=_dpi(page))
    else:
        page.save(path, "TIFF", compression="tiff_lzw", dpi=_dpi(page))


def _build_photos(folder: Path, seed: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for i, (camera, row) in enumerate(DEMO_PHOTOS):
        options = {k: v for k, v in camera.items() if k != "file"}
        make_photo(folder / camera["file"], width=PHOTO_SIZE[0], height=PHOTO_SIZE[1],
                   seed=seed * 1000 + i, **options)  # fmt: skip
        if row is None:
            continue
        lat_lon = row.get("gps")
        rows.append({
            **{k: v for k, v in row.items() if k != "gps"},
            "file": camera["file"],
            "latitude": f"{lat_lon[0]:.4f}" if lat_lon else "",
            "longitude": f"{lat_lon[1]:.4f}" if lat_lon else "",
            "type": "StillImage",
            "access": row.get("access", "public"),
        })  # fmt: skip
    _write_csv(folder / "metadata.csv", rows)


def _build_documents(folder: Path, seed: int, dpi: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    page_seed = seed * 1000 + 100

    for k, (file, slug, font, size, columns) in enumerate(DEMO_PAGES):
        entry = text_by_slug(slug)
        page = make_page(_heading(entry, entry["text"]), font=font, size_pt=size, dpi=dpi,
                         columns=columns, seed=page_seed + k)  # fmt: skip
        _save_page(page, folder / file)
        rows.append(_document_row(file, entry, 1))

    # A report of the 1990s, kept as a bilevel Group 4 TIFF.
    file, slug = DEMO_MULTIPAGE_TIFF
    entry = text_by_slug(slug)
    first, second = _halves(entry["text"])
    pages = [
        make_page(text, font="DejaVuSerifCondensed", size_pt=12, dpi=dpi, seed=page_seed + 20 + n)
        for n, text in enumerate([_cover(entry), first, second])
    ]
    make_multipage_tiff(folder / file, pages, compression="group4")
    rows.append(_document_row(file, entry, len(pages)))

    file, slug = DEMO_PDF
    entry = text_by_slug(slug)
    first, second = _halves(entry["text"])
    pages = [
        make_page(text, font="DejaVuSerif", size_pt=13, dpi=dpi, seed=page_seed + 30 + n)
        for n, text in enumerate([_heading(entry, first), second])
    ]
    make_pdf(folder / file, pages, dpi=dpi, title=entry["title_vi"],
             author=DOCUMENT_FACTS[slug][0])  # fmt: skip
    rows.append(_document_row(file, entry, len(pages)))
    _write_csv(folder / "metadata.csv", rows)

    # A folder of page scans described by its item.yaml: one compound document.
    entry = text_by_slug(DEMO_COMPOUND)
    compound = folder / entry["slug"]
    compound.mkdir(exist_ok=True)
    first, second = _halves(entry["text"])
    for n, text in enumerate([_cover(entry), first, second], start=1):
        page = make_page(text, font="DejaVuSerif", size_pt=13, dpi=dpi, seed=page_seed + 40 + n)
        _save_page(page, compound / f"page-{n:02d}.png")
    creator, subject, _place, _rights = DOCUMENT_FACTS[entry["slug"]]
    item = {
        "title": {"vi": entry["title_vi"], "en": entry["title_en"]},
        "description": {
            "vi": "Hồ sơ gồm trang bìa và thông báo của Sở Thông tin và Truyền thông về triển "
            "lãm ảnh và tài liệu lưu trữ nhân Ngày Quyền con người thế giới.",
            "en": "A file of a cover page and the notice of the Department of Information "
            "and Communications on an exhibition of photographs and archival documents for "
            "Human Rights Day.",
        },
        "date": entry["date"],
        "creator": creator,
        "subject": subject.split(";"),
        "language": ["vie"],
    }
    (compound / "item.yaml").write_text(
        yaml.safe_dump(item, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8"
    )


def build_demo_collection(out: Path, seed: int = 0, *, dpi: int = 200) -> Path:
    """Write the folders an archivist might bring in, under `out`, and return `out`.

    photos/     8 JPEGs with EXIF (1995-2024, most with GPS in Kon Tum, two with XMP, one
                with orientation 6) and metadata.csv with a row for all but one of them
    documents/  single scanned pages (PNG and TIFF), a 3-page Group 4 TIFF, a 2-page PDF,
                metadata.csv for these, and one folder of page scans with an item.yaml
    Pages are scanned at `dpi` (200 keeps the demo quick; archives scan at 300 or more).
    """
    out = Path(out)
    _build_photos(out / "photos", seed)
    _build_documents(out / "documents", seed, dpi)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m demo.samples", description="Build the demo collection of Tư liệu."
    )
    parser.add_argument("outdir", type=Path, help="the folder to write (created if missing)")
    parser.add_argument("--seed", type=int, default=0, help="the same seed gives the same files")
    parser.add_argument("--dpi", type=int, default=200, help="resolution of the scanned pages")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    out = build_demo_collection(args.outdir, args.seed, dpi=args.dpi)
    files = sorted(p for p in out.rglob("*") if p.is_file())
    for path in files:
        print(f"{path.stat().st_size:>10,}  {path}")
    total = sum(p.stat().st_size for p in files)
    print(f"{len(files)} files, {total:,} bytes, in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
