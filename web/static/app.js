// Strata's pages work without this file; it adds confirmations, upload
// progress and a back link.
"use strict";

document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = form.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
    return;
  }
  if (form.hasAttribute("data-upload")) {
    const button = event.submitter;
    upload(form, button && button.hasAttribute("formaction") ? button.formAction : form.action);
    event.preventDefault();
  }
});

document.addEventListener("click", (event) => {
  if (event.target.matches("[data-back]") && history.length > 1) {
    event.preventDefault();
    history.back();
  }
});

// upload sends a file to action (the form's, or the clicked button's) with
// its progress shown, then follows the server's redirect (or shows the page
// it answers: an error, or an import preview).
function upload(form, action) {
  const bar = form.querySelector("progress");
  const button = form.querySelector("button");
  const xhr = new XMLHttpRequest();
  xhr.open("POST", action);
  xhr.upload.addEventListener("progress", (e) => {
    if (e.lengthComputable) {
      bar.hidden = false;
      bar.value = Math.round((e.loaded / e.total) * 100);
    }
  });
  xhr.addEventListener("load", () => {
    // A redirect ends an import; a page answered in place (a preview, an
    // error) replaces this one.
    if (xhr.responseURL && xhr.status < 400 && xhr.responseURL !== new URL(action, window.location.href).href) {
      window.location.assign(xhr.responseURL);
    } else {
      document.open();
      document.write(xhr.responseText);
      document.close();
    }
  });
  xhr.addEventListener("error", () => {
    button.disabled = false;
    bar.hidden = true;
    window.alert("The upload failed.");
  });
  button.disabled = true;
  xhr.send(new FormData(form));
}
