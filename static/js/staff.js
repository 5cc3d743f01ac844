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
