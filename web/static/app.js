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
    upload(form);
    event.preventDefault();
  }
});

document.addEventListener("click", (event) => {
  if (event.target.matches("[data-back]") && history.length > 1) {
    event.preventDefault();
    history.back();
  }
});

// upload sends a file with its progress shown, then follows the server's
// redirect (or shows its error page).
function upload(form) {
  const bar = form.querySelector("progress");
  const button = form.querySelector("button");
  const xhr = new XMLHttpRequest();
  xhr.open("POST", form.action);
  xhr.upload.addEventListener("progress", (e) => {
    if (e.lengthComputable) {
      bar.hidden = false;
      bar.value = Math.round((e.loaded / e.total) * 100);
    }
  });
  xhr.addEventListener("load", () => {
    if (xhr.responseURL && xhr.status < 400) {
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
