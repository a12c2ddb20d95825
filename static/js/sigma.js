/* sigma's progressive enhancements: every page works without this file. */
(function () {
  "use strict";

  // Keyboard and screen-reader users land on the summary of a refused form.
  var summary = document.getElementById("form-errors");
  if (summary) {
    summary.focus();
  }

  var FOCUSABLE = "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), " +
    "select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

  function focusableIn(element) {
    return Array.prototype.filter.call(element.querySelectorAll(FOCUSABLE), function (item) {
      return item.getClientRects().length > 0;
    });
  }

  // Tab and Shift+Tab cycle inside the open dialog instead of leaving it.
  function keepFocusInside(event) {
    if (event.key !== "Tab") {
      return;
    }
    var items = focusableIn(event.currentTarget);
    var first = items[0];
    var last = items[items.length - 1];
    if (event.shiftKey && (document.activeElement === first || !event.currentTarget.contains(document.activeElement))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  }

  // The confirmation page's question and form, shown over the current page.
  function showConfirmation(trigger, page) {
    var title = page.querySelector("main h1");
    var confirmation = page.querySelector("main .confirm");
    var form = confirmation && confirmation.querySelector("form");
    if (!title || !form) {
      throw new Error("not a confirmation page");
    }
    var dialog = document.createElement("dialog");
    var article = document.createElement("article");
    var heading = document.createElement("h2");
    heading.id = "confirmation-title";
    heading.textContent = title.textContent;
    dialog.setAttribute("aria-labelledby", heading.id);
    form.setAttribute("action", trigger.href);
    article.appendChild(heading);
    article.appendChild(document.importNode(confirmation, true));
    dialog.appendChild(article);
    document.body.appendChild(dialog);

    var cancel = article.querySelector(".actions a");
    if (cancel) {
      cancel.addEventListener("click", function (event) {
        event.preventDefault();
        dialog.close();
      });
    }
    dialog.addEventListener("keydown", keepFocusInside);
    // Escape closes the dialog natively; however it closes, focus returns to the trigger.
    dialog.addEventListener("close", function () {
      dialog.remove();
      trigger.focus();
    });
    dialog.showModal();
  }

  function openConfirmation(trigger) {
    fetch(trigger.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.text();
      })
      .then(function (html) {
        showConfirmation(trigger, new DOMParser().parseFromString(html, "text/html"));
      })
      .catch(function () {
        window.location.href = trigger.href;
      });
  }

  document.addEventListener("click", function (event) {
    var trigger = event.target.closest && event.target.closest("a[data-confirm-dialog]");
    if (!trigger || typeof HTMLDialogElement !== "function" || event.button !== 0 ||
        event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) {
      return;
    }
    event.preventDefault();
    openConfirmation(trigger);
  });
})();
