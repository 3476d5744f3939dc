"""Generic Vietnamese error messages: what went wrong and what to do, never internals."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

MESSAGES = {
    400: _l("Yêu cầu không hợp lệ. Hãy tải lại trang và thử lại."),
    403: _l("Bạn không có quyền thực hiện thao tác này. Liên hệ quản trị nếu cần được cấp quyền."),
    404: _l("Không tìm thấy trang hoặc bản ghi. Kiểm tra lại đường dẫn hoặc quay về trang chủ."),
    405: _l("Thao tác không được hỗ trợ theo cách này. Hãy dùng nút trên giao diện."),
    413: _l(
        "Dữ liệu gửi lên quá lớn. Hãy chọn tệp nhỏ hơn giới hạn cho phép, "
        "hoặc gửi ít dữ liệu hơn trong một lần."
    ),
    429: _l("Bạn đã thử quá nhiều lần. Hãy đợi vài phút rồi thử lại."),
    500: _l("Hệ thống gặp lỗi khi xử lý yêu cầu. Hãy thử lại sau; nếu vẫn lỗi, báo cho quản trị."),
}
