// A filter box above a measure list (select[data-measure-picker]): typing narrows the list to
// measures whose name or code holds every typed word. Without this script the list is a plain
// list box, searchable by typing the first letters of a name.
(function () {
  "use strict";

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function setUp(select) {
    var label = select.getAttribute("data-filter-label") || "Search";
    var countText = select.getAttribute("data-filter-count") || "{count}";
    var noneText = select.getAttribute("data-filter-none") || "";
    var wrap = document.createElement("div");
    wrap.className = "regie-measure-filter";
    var input = document.createElement("input");
    input.type = "search";
    input.id = select.id + "-filter";
    input.className = "utrecht-textbox utrecht-textbox--html-input";
    input.setAttribute("autocomplete", "off");
    input.setAttribute("aria-controls", select.id);
    var inputLabel = document.createElement("label");
    inputLabel.className = "utrecht-form-label";
    inputLabel.htmlFor = input.id;
    inputLabel.textContent = label;
    var status = document.createElement("p");
    status.className = "utrecht-form-field-description";
    status.id = select.id + "-filter-status";
    status.setAttribute("aria-live", "polite");
    input.setAttribute("aria-describedby", status.id);
    wrap.appendChild(inputLabel);
    wrap.appendChild(input);
    wrap.appendChild(status);
    select.parentNode.insertBefore(wrap, select);

    var options = Array.prototype.slice.call(select.querySelectorAll("option"));
    var texts = options.map(function (option) {
      return fold(option.textContent + " " + (option.getAttribute("data-code") || ""));
    });

    function apply() {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      var shown = 0;
      options.forEach(function (option, index) {
        var match = words.every(function (word) {
          return texts[index].indexOf(word) !== -1;
        });
        // the chosen measure stays in the list, so the form never loses it unseen
        option.hidden = !match && !option.selected;
        option.disabled = !match && !option.selected;
        if (!option.hidden && option.value) shown += 1;
      });
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
        group.hidden = !Array.prototype.some.call(group.children, function (option) {
          return !option.hidden;
        });
      });
      status.textContent = words.length
        ? shown
          ? countText.replace("{count}", String(shown))
          : noneText
        : "";
    }

    input.addEventListener("input", apply);
    input.addEventListener("keydown", function (event) {
      // Arrow down moves into the list, Enter there keeps the form from being sent by accident.
      if (event.key === "ArrowDown") {
        event.preventDefault();
        var first = options.filter(function (option) {
          return !option.hidden && option.value;
        })[0];
        if (first && !select.value) first.selected = true;
        select.focus();
      } else if (event.key === "Enter") {
        event.preventDefault();
      }
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("select[data-measure-picker]"), setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
