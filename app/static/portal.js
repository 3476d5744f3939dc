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
    $(".portal-date", ctx).datepicker({ format: "dd/mm/yyyy", autoclose: true, todayHighlight: true, weekStart: 1 });
  }
  $(function () {
    initTypeahead(document);
    initDates(document);
  });
})(jQuery);
