/* Staff console: let htmx swap the 400/409 answers of self-replacing components
   (a lost claim race says who has the ticket; a bad status choice shows its message). */
document.addEventListener("htmx:beforeSwap", function (event) {
  var status = event.detail.xhr.status;
  if ((status === 409 || status === 400) && event.detail.elt.closest("[data-swap-errors]")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
