// Polls an export's JSON status until it is ready, then shows the download link.
(function () {
  "use strict";
  var box = document.getElementById("export-status");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("export-progress");
  var message = document.getElementById("export-message");
  var download = document.getElementById("export-download");
  var again = document.getElementById("export-again");
  var delay = 700;

  function show(state) {
    bar.value = state.progress;
    bar.textContent = state.progress + "%";
    // "Building: Adding the letter …", "Ready: 5 pages, 84 KB", "Failed: why".
    message.textContent = state.label + (state.message ? ": " + state.message : "");
    if (state.download_url) {
      download.hidden = false;
    }
    if (state.status === "failed") {
      again.hidden = false;
    }
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("status " + response.status); }
        return response.json();
      })
      .then(function (state) {
        show(state);
        if (state.status === "queued" || state.status === "running") {
          delay = Math.min(delay * 1.3, 5000);
          window.setTimeout(poll, delay);
        }
      })
      .catch(function () {
        message.textContent = "Could not read the progress; reload the page to try again.";
      });
  }

  poll();
})();
