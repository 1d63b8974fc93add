// fnhost history: small enhancements over pages that read without JavaScript.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // copy buttons next to inbox URLs
  for (const button of document.querySelectorAll("button.copy")) {
    button.hidden = false;
    button.addEventListener("click", async () => {
      const text = document.getElementById(button.dataset.copy).textContent;
      try { await navigator.clipboard.writeText(text); button.textContent = "Copied"; }
      catch (_) { button.textContent = "Select and copy"; }
    });
  }
  // the live log of a run that is going: server-sent events from the store
  let leaving = false;
  addEventListener("beforeunload", () => { leaving = true; });
  const log = document.getElementById("log");
  if (log && log.dataset.running === "true") {
    const source = new EventSource(`/runs/${log.dataset.run}/events?after=${log.dataset.after}`);
    source.addEventListener("log", (e) => {
      const line = JSON.parse(e.data);
      const span = document.createElement("span");
      span.className = `line l-${line.level}`;
      span.textContent = `${line.at} ${line.source ? `[${line.source}] ` : ""}${line.message}`;
      log.append(span, "\n");
      log.scrollTop = log.scrollHeight;
    });
    source.addEventListener("end", (e) => {
      source.close();
      const status = document.getElementById("status");
      if (status) { status.textContent = e.data; status.className = `status s-${e.data}`; }
      // the final state, the diff and the actions come with the page; a navigation the
      // user (or a link) started meanwhile wins over this reload
      setTimeout(() => { if (!leaving) location.reload(); }, 300);
    });
  }
  // the filter preview updates as one types (the form works without this)
  const form = document.getElementById("filter-form");
  if (form) {
    let timer;
    for (const field of form.querySelectorAll("textarea")) {
      field.addEventListener("input", () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          try { JSON.parse(document.getElementById("inclusion").value); } catch (_) { return; }
          const params = new URLSearchParams(new FormData(form));
          history.replaceState(null, "", `/filters?${params}`);
          fetch(`/filters?${params}`).then((r) => r.text()).then((html) => {
            const doc = new DOMParser().parseFromString(html, "text/html");
            // the preview, then the save form (its fields are the previewed fragments)
            let anchor = form;
            for (const id of ["summary", "preview-rows", "save-form"]) {
              const fresh = doc.getElementById(id), old = document.getElementById(id);
              if (fresh && old) old.replaceWith(fresh);
              else if (fresh) anchor.after(fresh);
              else if (old) old.remove();
              if (fresh) anchor = fresh;
            }
          });
        }, 300);
      });
    }
  }
});
