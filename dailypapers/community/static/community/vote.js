// Upvotes without a page reload. The vote forms work without this script (they post
// and come back); with it, the form is sent by fetch() asking for JSON and the button
// shows the answer. Loaded only for logged-in readers; a form without a CSRF token (a
// logged-out reader's) is left to post normally, to the log-in page.
(function () {
  "use strict";
  if (window.dailypapersVotes) return; // included once per page
  window.dailypapersVotes = true;

  function show(form, voted, upvotes) {
    var button = form.querySelector(".vote-button");
    if (!button) return;
    var paper = button.getAttribute("data-paper");
    // Every button of the paper on the page (a paper can appear twice on a week page).
    var buttons = form.querySelector("input[name=entry]")
      ? [button]
      : document.querySelectorAll('.vote-button[data-paper="' + paper + '"]');
    Array.prototype.forEach.call(buttons, function (b) {
      b.setAttribute("aria-pressed", voted ? "true" : "false");
      var count = b.querySelector(".count");
      if (count) count.textContent = String(upvotes);
    });
  }

  function message(form, text) {
    var status = form.querySelector(".vote-error");
    if (status) {
      status.textContent = text;
    } else {
      window.alert(text);
    }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("vote-form")) return;
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    if (!token || !window.fetch) return;
    event.preventDefault();
    var button = form.querySelector(".vote-button");
    if (button) button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "Accept": "application/json", "X-CSRFToken": token.value },
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.json().then(function (data) {
          if (response.ok) {
            show(form, data.voted, data.upvotes);
            message(form, "");
          } else if (response.status === 401 && data.login_url) {
            window.location.href = data.login_url;
          } else {
            message(form, data.error || "The vote could not be recorded.");
          }
        });
      })
      .catch(function () {
        message(form, "The vote could not be sent; please try again.");
      })
      .then(function () {
        if (button) button.disabled = false;
      });
  });
})();
