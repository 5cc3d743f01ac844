/* Tell the person when an htmx request fails: htmx does not swap 4xx/5xx answers, so without
   this a refused or rate-limited action would look like nothing happened. No inline script. */
(function () {
  function box() { return document.getElementById("htmx-error"); }
  function say(text) {
    var el = box();
    if (el) { el.textContent = text; el.hidden = false; }
  }
  document.addEventListener("htmx:beforeRequest", function () {
    var el = box();
    if (el) { el.hidden = true; el.textContent = ""; }
  });
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    if (status === 429) {
      say("You are going too fast. Nothing was saved; please wait a moment and try again.");
    } else if (status === 400 || status === 403) {
      say("This could not be sent (the page may have expired). Reload the page and try again.");
    } else if (status === 404) {
      say("That is no longer available. Reload the page.");
    } else {
      say("Something went wrong and nothing was saved. Please try again in a moment.");
    }
  });
  document.addEventListener("htmx:sendError", function () {
    say("The portal could not be reached. Check your connection and try again.");
  });
})();
