// Feedback without a page reload. The forms work without this script (they post and
// come back); with it, the form is sent by fetch() asking for JSON, and the lists are
// fetched again and swapped in, so a dismissed paper and those like it go at once.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("feedback-form") || !window.fetch) return;
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    if (!token) return;
    event.preventDefault();
    var data = new FormData(form);
    if (event.submitter && event.submitter.name) data.set(event.submitter.name, event.submitter.value);
    var status = form.querySelector(".feedback-status");
    fetch(form.action, {
      method: "POST",
      body: data,
      headers: { "Accept": "application/json", "X-CSRFToken": token.value },
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.json().then(function (answer) {
          if (!response.ok) throw new Error(answer.error || "Not recorded.");
          if (status) status.textContent = answer.message || "";
          var lists = document.getElementById("foryou-lists");
          if (!lists) return;
          if (answer.signal === "not_interested") {
            var card = form.closest(".pick");
            if (card) card.remove();
          }
          return fetch(lists.getAttribute("data-lists-url"), { credentials: "same-origin" })
            .then(function (r) { return r.text(); })
            .then(function (html) { lists.innerHTML = html; });
        });
      })
      .catch(function (error) {
        if (status) status.textContent = error.message || "Not recorded.";
      });
  });
})();
