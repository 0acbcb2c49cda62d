// Strata's pages work without this file; it adds upload progress, a back
// link, the control that expands a clipped cell, and Escape to close a
// confirmation. (A form that asks first is behind a <details> disclosure,
// which needs no script.)
"use strict";

// The page an upload answers in place is written over this one
// (document.write), and loads this file again in the same window: nothing
// here is global, so that the second run declares nothing twice.
(() => {
  document.documentElement.classList.add("js");

  // clipCells gives each cell that its few lines cut short a button to show
  // all of it. (Without this file, such a cell scrolls.)
  let clipCount = 0;
  function clipCells() {
    for (const cell of document.querySelectorAll("[data-clip]:not(.clipped)")) {
      if (cell.scrollHeight <= cell.clientHeight + 2) {
        continue;
      }
      cell.classList.add("clipped");
      if (!cell.id) {
        cell.id = "clip-" + ++clipCount;
      }
      const button = document.createElement("button");
      button.type = "button";
      button.className = "link expand";
      button.textContent = "Show all";
      button.setAttribute("aria-expanded", "false");
      button.setAttribute("aria-controls", cell.id);
      cell.after(button);
    }
  }
  document.addEventListener("DOMContentLoaded", clipCells);
  let resizing;
  window.addEventListener("resize", () => {
    clearTimeout(resizing);
    resizing = setTimeout(clipCells, 150);
  });

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.hasAttribute("data-upload")) {
      const button = event.submitter;
      upload(form, button && button.hasAttribute("formaction") ? button.formAction : form.action);
      event.preventDefault();
    }
  });

  // An open confirmation (its explanation and the button that does it)
  // closes on Escape, as a dialog would, and focus goes back to its summary.
  document.addEventListener("keydown", (event) => {
    const open = event.key === "Escape" && event.target instanceof Element && event.target.closest("details.discard[open], details.confirm[open]");
    if (open) {
      open.open = false;
      open.querySelector("summary").focus();
    }
  });

  document.addEventListener("click", (event) => {
    if (event.target.matches("button.expand")) {
      const cell = document.getElementById(event.target.getAttribute("aria-controls"));
      const open = cell.classList.toggle("open");
      event.target.setAttribute("aria-expanded", String(open));
      event.target.textContent = open ? "Show less" : "Show all";
      return;
    }
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
    // Every submit button (Preview and Import): a second click while the
    // file uploads would send it again.
    const buttons = [...form.querySelectorAll("button")].filter((b) => b.type === "submit");
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
      buttons.forEach((b) => { b.disabled = false; });
      bar.hidden = true;
      window.alert("The upload failed.");
    });
    buttons.forEach((b) => { b.disabled = true; });
    xhr.send(new FormData(form));
  }
})();
