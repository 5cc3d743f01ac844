/* Staff console: let htmx swap the 400/409 answers of self-replacing components
   (a lost claim race says who has the ticket; a bad status choice shows its message). */
document.addEventListener("htmx:beforeSwap", function (event) {
  var status = event.detail.xhr.status;
  if ((status === 409 || status === 400) && event.detail.elt.closest("[data-swap-errors]")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

/* Queue: "Why is this here?" stays open across the 30-second refresh. Each poll of the rows
   carries the keys of the rows whose explanation is open (open=ticket-12,forum-3) and the
   server renders those open; without JavaScript there is no poll, and nothing to keep. */
document.addEventListener("htmx:configRequest", function (event) {
  var rows = event.detail.elt;
  if (!rows || rows.id !== "queue-rows") { return; }
  var open = [];
  rows.querySelectorAll("details.why[open][data-row-key]").forEach(function (details) {
    open.push(details.getAttribute("data-row-key"));
  });
  if (open.length) { event.detail.parameters.open = open.join(","); }
});

/* Who else is here (templates/staff/_presence.html): while the reply box is typed in, tell the
   others at most every 3 s ("typing-beat" posts through htmx, CSRF header included); when the
   tab goes away, say goodbye so the others stop seeing us at once (otherwise the entry expires
   by itself after 20 s). */
(function () {
  var last = 0;
  document.addEventListener("input", function (event) {
    var beat = document.getElementById("typing-beat");
    var box = event.target.closest && event.target.closest("#reply-form, form[action$='/reply'], [data-typing]");
    if (!beat || !box || !window.htmx) return;
    var now = Date.now();
    if (now - last < 3000) return;
    last = now;
    htmx.trigger(beat, "typing-beat");
  });
  window.addEventListener("pagehide", function () {
    var here = document.getElementById("presence");
    var token = document.querySelector("input[name='csrf_token']");
    if (!here || !token || !navigator.sendBeacon) return;
    var form = new FormData();
    form.append("csrf_token", token.value);
    navigator.sendBeacon(here.getAttribute("data-leave"), form);
  });
})();
