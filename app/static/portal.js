/* Portal widgets: scoped typeahead (select2 ajax) and dd/mm/yyyy datepicker. No inline script (CSP). */
(function ($) {
  "use strict";
  var vi = {
    inputTooShort: function () { return "Nhập để tìm"; },
    noResults: function () { return "Không tìm thấy kết quả"; },
    searching: function () { return "Đang tìm…"; },
    errorLoading: function () { return "Không tải được kết quả"; },
    loadingMore: function () { return "Đang tải thêm…"; },
    removeAllItems: function () { return "Xóa lựa chọn"; }
  };
  function initTypeahead(ctx) {
    $(".portal-typeahead", ctx).each(function () {
      var el = $(this);
      if (el.data("select2")) { return; }
      el.select2({
        theme: "bootstrap",
        width: "100%",
        allowClear: true,
        placeholder: "Nhập để tìm…",
        language: vi,
        ajax: {
          url: el.data("endpoint"),
          dataType: "json",
          delay: 250,
          data: function (params) { return { q: params.term || "", page: params.page || 1 }; },
          processResults: function (data) { return { results: data.results, pagination: { more: data.more } }; }
        }
      });
    });
  }
  function initDates(ctx) {
    if (!$.fn.datepicker) { return; }
    $.fn.datepicker.dates.vi = {
      days: ["Chủ nhật", "Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy"],
      daysShort: ["CN", "T2", "T3", "T4", "T5", "T6", "T7"],
      daysMin: ["CN", "T2", "T3", "T4", "T5", "T6", "T7"],
      months: ["Tháng 1", "Tháng 2", "Tháng 3", "Tháng 4", "Tháng 5", "Tháng 6",
               "Tháng 7", "Tháng 8", "Tháng 9", "Tháng 10", "Tháng 11", "Tháng 12"],
      monthsShort: ["Th1", "Th2", "Th3", "Th4", "Th5", "Th6", "Th7", "Th8", "Th9", "Th10", "Th11", "Th12"],
      today: "Hôm nay",
      clear: "Xóa",
      format: "dd/mm/yyyy",
      titleFormat: "MM yyyy",
      weekStart: 1
    };
    $(".portal-date", ctx)
      .datepicker({ language: "vi", format: "dd/mm/yyyy", autoclose: true, todayHighlight: true, weekStart: 1 })
      // The picker only re-reads the text on keyup; pasted or autofilled dates would be
      // wiped on blur, so it re-reads on every input too.
      .on("input", function () { $(this).datepicker("update"); });
  }
  $(function () {
    initTypeahead(document);
    initDates(document);
    // FAB's search panel adds filter rows from templates after load: set those up too.
    if (window.MutationObserver) {
      new MutationObserver(function (mutations) {
        mutations.forEach(function (m) {
          $(m.addedNodes).each(function () {
            if (this.nodeType === 1) { initTypeahead(this); initDates(this); }
          });
        });
      }).observe(document.body, { childList: true, subtree: true });
    }
  });
})(jQuery);
