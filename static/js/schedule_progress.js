// Polls the check of an uploaded deployment schedule and moves the progress bar;
// reloads the page (which then shows the preview) when the check is done.
(function () {
  "use strict";
  var section = document.getElementById("schedule-checking");
  if (!section) { return; }
  var url = section.getAttribute("data-status-url");
  var bar = document.getElementById("schedule-progress");
  var text = document.getElementById("schedule-progress-text");
  var delay = 500;

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("status " + response.status); }
        return response.json();
      })
      .then(function (state) {
        bar.value = state.percent;
        bar.textContent = state.percent + "%";
        text.textContent = state.rows_checked.toLocaleString("en-US") + " of " +
          state.rows_total.toLocaleString("en-US");
        if (state.done) {
          window.location.reload();
          return;
        }
        delay = Math.min(delay * 1.5, 3000);
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        delay = Math.min(delay * 2, 10000);
        window.setTimeout(poll, delay);
      });
  }

  window.setTimeout(poll, delay);
})();
