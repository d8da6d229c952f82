"""What each section and figure of a plan's report is called and how it is counted, in
Vietnamese and English: printed beside every figure, so that a reader can count it again.
`{name}` is the collection, class, term or route the figure is of."""

from __future__ import annotations

STOCK = {
    "vi": "Tính đến hết mỗi kỳ.",
    "en": "As at the end of each period.",
}

SECTIONS = {
    "digitised": {"vi": "1. Số hóa", "en": "1. Digitised"},
    "online": {"vi": "2. Kết nối và đưa lên mạng", "en": "2. Connected and online"},
    "languages": {"vi": "3. Ngôn ngữ", "en": "3. Languages"},
    "themes": {"vi": "4. Chủ đề", "en": "4. Themes"},
    "exhibitions": {"vi": "5. Triển lãm", "en": "5. Exhibitions"},
    "use": {"vi": "6. Sử dụng danh mục trực tuyến", "en": "6. Use of the online catalogue"},
}

# kind: (label, definition)
FIGURES: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    "catalogued": (
        {"vi": "Tài liệu đã biên mục", "en": "Items catalogued"},
        {
            "vi": "Số tài liệu (ảnh, văn bản) có trong kho, đếm theo ngày nhập kho.",
            "en": "Items (photos, documents) in the archive, counted by their accession date.",
        },
    ),
    "accessioned": (
        {"vi": "Tài liệu nhập kho trong kỳ", "en": "Items accessioned in the period"},
        {
            "vi": "Số tài liệu có ngày nhập kho trong kỳ.",
            "en": "Items whose accession date falls in the period.",
        },
    ),
    "collection.items": (
        {"vi": "{name}: tài liệu đã số hóa", "en": "{name}: items digitised"},
        {
            "vi": "Số tài liệu đã biên mục trong phông/mục lục này và các mục dưới nó, "
            "đếm theo ngày nhập kho.",
            "en": "Items catalogued in this collection and those below it, counted by their "
            "accession date.",
        },
    ),
    "collection.pages": (
        {"vi": "{name}: trang đã số hóa", "en": "{name}: pages digitised"},
        {
            "vi": "Số trang (ảnh: một trang) của các tài liệu đã biên mục trong phông/mục lục "
            "này và các mục dưới nó.",
            "en": "Pages (a photo is one) of the items catalogued in this collection and those "
            "below it.",
        },
    ),
    "collection.units": (
        {"vi": "{name}: khối lượng (đơn vị bảo quản)", "en": "{name}: extent (units)"},
        {
            "vi": "Khối lượng tài liệu của phông/mục lục, theo mô tả hiện nay của lưu trữ viên.",
            "en": "The collection's extent in units, as the archivists describe it now.",
        },
    ),
    "collection.metres": (
        {"vi": "{name}: khối lượng (mét giá)", "en": "{name}: extent (linear metres)"},
        {
            "vi": "Khối lượng tài liệu của phông/mục lục tính bằng mét giá, theo mô tả hiện nay.",
            "en": "The collection's extent in linear metres, as described now.",
        },
    ),
    "collection.share": (
        {"vi": "{name}: tỷ lệ số hóa", "en": "{name}: share digitised"},
        {
            "vi": "Tài liệu đã số hóa chia cho khối lượng (đơn vị bảo quản), tính theo phần trăm.",
            "en": "Items digitised divided by the extent in units, in per cent.",
        },
    ),
    "digitised.share": (
        {"vi": "Tỷ lệ số hóa (toàn bộ)", "en": "Share digitised (in all)"},
        {
            "vi": "Tài liệu đã số hóa của các phông/mục lục có khối lượng, chia cho tổng khối "
            "lượng (đơn vị bảo quản) của chúng, tính theo phần trăm. Một mục nằm dưới mục đã "
            "có khối lượng không được tính thêm lần nữa.",
            "en": "Items digitised in the collections with an extent, divided by the sum of "
            "their extents in units, in per cent. A collection below one with an extent is not "
            "counted again.",
        },
    ),
    "online": (
        {"vi": "Tài liệu công khai trực tuyến", "en": "Items public online"},
        {
            "vi": "Tài liệu công khai (không hạn chế, không rút) có hình ảnh, có manifest IIIF, "
            "địa chỉ cố định theo số nhập kho và thu thập được qua OAI-PMH; đếm theo ngày tài "
            "liệu được công khai hoặc thôi công khai.",
            "en": "Items public (not restricted, not withdrawn) with images, an IIIF manifest, "
            "a stable address by accession number and harvestable over OAI-PMH; counted by the "
            "dates they were made public or taken from the public.",
        },
    ),
    "online.share": (
        {"vi": "Tỷ lệ công khai trực tuyến", "en": "Share online"},
        {
            "vi": "Tài liệu công khai trực tuyến chia cho tài liệu đã biên mục, theo phần trăm.",
            "en": "Items public online divided by items catalogued, in per cent.",
        },
    ),
    "language.material": (
        {"vi": "{name}: theo ngôn ngữ tài liệu", "en": "{name}: by the material's language"},
        {
            "vi": "Tài liệu mà ngôn ngữ của chính tài liệu có một ngôn ngữ thuộc nhóm này.",
            "en": "Items whose material is in a language of this class.",
        },
    ),
    "language.description": (
        {"vi": "{name}: theo ngôn ngữ mô tả", "en": "{name}: by the description's language"},
        {
            "vi": "Tài liệu có nhan đề hoặc mô tả viết bằng một ngôn ngữ thuộc nhóm này "
            "(ảnh tiếng Việt được mô tả bằng tiếng Ba Na được tính là sản phẩm tiếng Ba Na).",
            "en": "Items with a title or description written in a language of this class (a "
            "Vietnamese photo described in Bahnar counts as a Bahnar product).",
        },
    ),
    "language.either": (
        {"vi": "{name}: sản phẩm", "en": "{name}: products"},
        {
            "vi": "Tài liệu thuộc nhóm này theo ngôn ngữ tài liệu hoặc theo ngôn ngữ mô tả.",
            "en": "Items of this class by their material's language or their description's.",
        },
    ),
    "language.only": (
        {"vi": "Chỉ {name}", "en": "{name} only"},
        {
            "vi": "Tài liệu mà mọi ngôn ngữ (của tài liệu và của mô tả) đều thuộc nhóm này.",
            "en": "Items all of whose languages (the material's and the description's) are of "
            "this class.",
        },
    ),
    "language.unknown": (
        {"vi": "Chưa ghi ngôn ngữ tài liệu", "en": "Material's language not given"},
        {
            "vi": "Tài liệu chưa ghi ngôn ngữ của chính tài liệu.",
            "en": "Items whose material's language is not given.",
        },
    ),
    "language.target": (
        {"vi": "{name}: tỷ lệ", "en": "{name}: share"},
        {
            "vi": "Tài liệu là sản phẩm của các nhóm ngôn ngữ của chỉ tiêu (theo ngôn ngữ tài "
            "liệu hoặc mô tả) chia cho tài liệu đã biên mục, theo phần trăm; so với khoảng "
            "chỉ tiêu của kế hoạch.",
            "en": "Items that are products of the target's language classes (by the material's "
            "or the description's language) divided by items catalogued, in per cent; against "
            "the plan's band.",
        },
    ),
    "theme": (
        {"vi": "{name}", "en": "{name}"},
        {
            "vi": "Tài liệu gắn thẻ này (thẻ bị gỡ không tính), tính từ lần thay đổi cuối của "
            "thẻ; công khai và hạn chế tính riêng, thẻ đã duyệt (do người gắn hoặc đã chấp "
            "nhận) và thẻ tự động chưa duyệt tính riêng.",
            "en": "Items carrying this tag (removed tags not counted), from the tag's last "
            "change; public and restricted apart, reviewed tags (a person's, or accepted) and "
            "automatic ones not yet reviewed apart.",
        },
    ),
    "exhibitions.held": (
        {"vi": "Triển lãm được tổ chức", "en": "Exhibitions held"},
        {
            "vi": "Triển lãm đã xuất bản có thời gian diễn ra giao với kỳ (không ghi ngày: "
            "ngày xuất bản).",
            "en": "Published exhibitions whose dates overlap the period (without dates: the "
            "day published).",
        },
    ),
    "exhibitions.visitors": (
        {"vi": "Lượt khách tham quan", "en": "Visitors"},
        {
            "vi": "Số khách tại nơi triển lãm do người phụ trách ghi, tính vào kỳ triển lãm "
            "kết thúc.",
            "en": "Visitors at the venue as entered by the curators, counted in the period the "
            "exhibition ends.",
        },
    ),
    "exhibitions.views": (
        {"vi": "Lượt xem triển lãm trực tuyến", "en": "Online views of exhibitions"},
        {
            "vi": "Số lần trang triển lãm trên danh mục trực tuyến được mở trong kỳ.",
            "en": "Times an exhibition's page of the online catalogue was opened in the period.",
        },
    ),
    "use": (
        {"vi": "{name}", "en": "{name}"},
        {
            "vi": "Số lượt trong kỳ, đếm theo ngày, không lưu địa chỉ hay bất cứ điều gì về "
            "người dùng.",
            "en": "Requests in the period, counted by day, with no address or anything else "
            "about who made them kept.",
        },
    ),
}

ROUTES = {
    "item": {"vi": "Lượt xem trang tài liệu", "en": "Item page views"},
    "search": {"vi": "Lượt tìm kiếm", "en": "Searches"},
    "manifest": {"vi": "Lượt tải manifest IIIF", "en": "IIIF manifest requests"},
}

THEME_PARTS = {
    "public.reviewed": {"vi": "công khai, đã duyệt", "en": "public, reviewed"},
    "public.automatic": {"vi": "công khai, tự động", "en": "public, automatic"},
    "restricted.reviewed": {"vi": "hạn chế, đã duyệt", "en": "restricted, reviewed"},
    "restricted.automatic": {"vi": "hạn chế, tự động", "en": "restricted, automatic"},
}


def texts(kind: str, names: dict[str, str] | None = None):
    """(label, definition) of a figure of `kind`, named in each language."""
    label, definition = FIGURES[kind]
    names = names or {}
    named = {
        lang: text.format(name=names.get(lang) or names.get("vi", ""))
        for lang, text in label.items()
    }
    return named, dict(definition)
