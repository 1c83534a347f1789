// PR/FAQ studio: small progressive enhancements. Everything works without them.
(() => {
  "use strict";

  const csrfToken = () => {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : null;
  };

  // Signing in again in another tab rotates the CSRF token: always send the current one.
  document.addEventListener("htmx:configRequest", (event) => {
    const token = csrfToken();
    if (!token) return;
    event.detail.headers["X-CSRFToken"] = token;
    if (event.detail.formData?.has("csrfmiddlewaretoken")) {
      event.detail.formData.set("csrfmiddlewaretoken", token);
    }
  });
  document.addEventListener("submit", (event) => {
    const question = event.target.dataset?.confirm;
    if (question && !window.confirm(question)) { event.preventDefault(); return; }
    const token = csrfToken();
    const input = event.target.querySelector("input[name=csrfmiddlewaretoken]");
    if (token && input) input.value = token;
  });

  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-action=print]")) window.print();
  });

  // --- Comments: quote a selection of the document ------------------------
  const popover = document.getElementById("selection-comment");
  const selectedPassage = () => {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed) return null;
    const text = selection.toString().replace(/\s+/g, " ").trim();
    const start = selection.anchorNode?.parentElement?.closest("[data-section]");
    const end = selection.focusNode?.parentElement?.closest("[data-section]");
    if (!text || !start || start !== end || !start.closest("#document-body")) return null;
    return { text: text.slice(0, 1000), section: start.dataset.section, range: selection.getRangeAt(0) };
  };
  if (popover) {
    document.addEventListener("selectionchange", () => {
      const passage = selectedPassage();
      if (!passage || !document.getElementById("new-thread")) { popover.hidden = true; return; }
      const rect = passage.range.getBoundingClientRect();
      popover.style.top = `${window.scrollY + rect.bottom + 6}px`;
      popover.style.left = `${window.scrollX + rect.left}px`;
      popover.hidden = false;
      popover.dataset.text = passage.text;
      popover.dataset.section = passage.section;
    });
    popover.addEventListener("click", () => {
      const box = document.getElementById("new-thread");
      box.open = true;
      box.querySelector("select[name=section]").value = popover.dataset.section;
      box.querySelector("textarea[name=quote]").value = popover.dataset.text;
      popover.hidden = true;
      box.scrollIntoView({ block: "nearest" });
      box.querySelector("textarea[name=body]").focus();
    });
  }

  // --- Replies: the answer appends the new comments and brings an empty reply box ---
  // The box that was sent is replaced, and with it the focus: give it back, so a
  // keyboard user writes the next reply (or fixes this one) where they were.
  document.addEventListener("htmx:afterSettle", (event) => {
    const sent = event.detail.requestConfig?.elt;
    if (!sent?.id?.startsWith("reply-")) return;
    document.getElementById(sent.id)?.querySelector("textarea")?.focus();
  });

  // --- @mentions: suggest people as you type -------------------------------
  let menu = null;
  let menuFor = null;
  const closeMenu = () => {
    if (menuFor) {
      menuFor.setAttribute("aria-expanded", "false");
      menuFor.removeAttribute("aria-activedescendant");
    }
    menu?.remove();
    menu = null;
    menuFor = null;
  };
  document.querySelectorAll("textarea.mention-input").forEach((t) => {
    t.setAttribute("aria-autocomplete", "list");
    t.setAttribute("aria-expanded", "false");
  });
  const mentionAt = (textarea) => {
    const upto = textarea.value.slice(0, textarea.selectionStart);
    const match = upto.match(/(?:^|[^\w@.])@([\w.+-]{0,30})$/);
    return match ? { prefix: match[1], start: textarea.selectionStart - match[1].length } : null;
  };
  const choose = (textarea, option) => {
    const mention = mentionAt(textarea);
    if (!mention || !option?.dataset.username) return closeMenu();
    const value = textarea.value;
    const insert = `${option.dataset.username} `;
    textarea.value = value.slice(0, mention.start) + insert + value.slice(textarea.selectionStart);
    textarea.selectionStart = textarea.selectionEnd = mention.start + insert.length;
    closeMenu();
    textarea.focus();
  };
  document.addEventListener("input", async (event) => {
    const textarea = event.target.closest?.("textarea.mention-input");
    if (!textarea) return;
    const mention = mentionAt(textarea);
    if (!mention) return closeMenu();
    const response = await fetch(`/people/?q=${encodeURIComponent(mention.prefix)}`, { headers: { "HX-Request": "true" } });
    if (!response.ok || mentionAt(textarea)?.prefix !== mention.prefix) return;
    closeMenu();
    menu = document.createElement("div");
    menu.className = "mention-menu";
    menu.innerHTML = await response.text();
    const rect = textarea.getBoundingClientRect();
    menu.style.top = `${window.scrollY + rect.bottom}px`;
    menu.style.left = `${window.scrollX + rect.left}px`;
    document.body.append(menu);
    menuFor = textarea;
    textarea.setAttribute("aria-controls", "mention-list");
    textarea.setAttribute("aria-autocomplete", "list");
    textarea.setAttribute("aria-expanded", "true");
    const first = menu.querySelector("[data-username]");
    if (first) textarea.setAttribute("aria-activedescendant", first.id);
  });
  document.addEventListener("keydown", (event) => {
    if (!menu || event.target !== menuFor) return;
    const options = [...menu.querySelectorAll("[data-username]")];
    const current = options.findIndex((o) => o.getAttribute("aria-selected") === "true");
    if (event.key === "Escape") { event.preventDefault(); closeMenu(); return; }
    if ((event.key === "Enter" || event.key === "Tab") && options[current]) {
      event.preventDefault();
      choose(menuFor, options[current]);
      return;
    }
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const next = (current + (event.key === "ArrowDown" ? 1 : -1) + options.length) % options.length;
      options.forEach((o, i) => o.setAttribute("aria-selected", String(i === next)));
      menuFor.setAttribute("aria-activedescendant", options[next]?.id || "");
    }
  });
  document.addEventListener("mousedown", (event) => {
    if (!menu) return;
    const option = event.target.closest("[data-username]");
    if (option && menu.contains(option)) { event.preventDefault(); choose(menuFor, option); }
    else if (!menu.contains(event.target)) closeMenu();
  });

  const form = document.getElementById("editor-form");
  if (!form) return;

  const WORD = /[\p{L}\p{N}_]+(?:[-'\u2019][\p{L}\p{N}_]+)*/gu;
  const countWords = (text) => (text.match(WORD) || []).length;
  const status = () => document.getElementById("save-status");
  const autosaveOn = form.dataset.autosave === "on";

  const grow = (el) => {
    if (CSS.supports("field-sizing", "content")) return;
    el.style.height = "auto";
    el.style.height = `${el.scrollHeight + 2}px`;
  };

  const showCount = (counter, words) => {
    const budget = Number(counter.dataset.wordBudget);
    counter.textContent = `${words} / ${budget} words`;
    counter.classList.toggle("over-budget", words > budget);
  };

  const updateCounts = (el) => {
    if (el && el.dataset.section) {
      const counter = document.getElementById(`words-${el.dataset.section}`);
      if (counter) showCount(counter, countWords(el.value));
    }
    const faqCounter = document.getElementById("words-faq");
    if (faqCounter) {
      let words = 0;
      form.querySelectorAll("#faq-entries textarea").forEach((t) => { words += countWords(t.value); });
      showCount(faqCounter, words);
    }
  };

  // --- Saving ------------------------------------------------------------
  let edits = 0;        // bumped on every change
  let savedEdits = 0;   // the edit count the last successful save contained
  let sentEdits = 0;
  let firstUnsavedAt = 0;
  let timer = null;
  let halted = !autosaveOn;
  // An autosave posts only the fields changed since the one before it (the FAQ as a
  // whole): the server takes the rest from the version it saved. The first one on a page
  // posts every field (the page may hold text a refused Save or the browser put back),
  // and so does the one after an autosave that did not land.
  let unsent = new Set();
  let sendAll = true;
  const fieldOf = (el) => (!el?.name || el.name.startsWith("faq-") ? "faq" : el.name);
  const ALWAYS_SENT = new Set(["csrfmiddlewaretoken", "base_version"]);

  const setStatus = (state, html) => {
    const el = status();
    if (!el) return;
    el.dataset.state = state;
    el.innerHTML = html;
  };
  const dirty = () => edits !== savedEdits;

  const schedule = (delay) => {
    if (halted) return;
    clearTimeout(timer);
    const now = Date.now();
    if (!firstUnsavedAt) firstUnsavedAt = now;
    // Save 1.5 s after typing pauses, and at least every 5 s while typing goes on.
    const wait = delay ?? Math.max(0, Math.min(1500, firstUnsavedAt + 5000 - now));
    timer = setTimeout(save, wait);
  };
  const save = () => {
    if (halted || !dirty()) return;
    firstUnsavedAt = 0;
    sentEdits = edits;
    htmx.trigger(form, "autosave");
  };

  let previewTimer = null;
  const refreshPreview = () => {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(() => htmx.trigger("#preview", "preview-refresh"), 400);
  };

  const changed = (el) => {
    edits += 1;
    unsent.add(fieldOf(el));
    if (el) { grow(el); updateCounts(el); }
    if (!halted) setStatus("unsaved", '<span class="dot dot-busy" aria-hidden="true"></span> Unsaved changes');
    schedule();
    refreshPreview();
  };

  form.addEventListener("input", (event) => changed(event.target));
  form.addEventListener("change", (event) => { if (event.target.tagName === "SELECT") changed(event.target); });
  form.querySelectorAll("textarea").forEach(grow);

  form.addEventListener("htmx:configRequest", (event) => {
    if (event.detail.elt !== form) return;
    const sent = unsent;
    unsent = new Set();
    if (sendAll) return;
    const data = event.detail.formData;
    for (const name of new Set(data.keys())) {
      const kept = ALWAYS_SENT.has(name) || sent.has(name.startsWith("faq-") ? "faq" : name);
      if (!kept) data.delete(name);
    }
  });
  form.addEventListener("htmx:beforeRequest", (event) => {
    if (event.detail.elt !== form) return;
    setStatus("saving", '<span class="dot dot-busy" aria-hidden="true"></span> Saving…');
  });
  form.addEventListener("htmx:afterSettle", (event) => {
    if (event.detail.elt !== form && event.detail.target?.id !== "save-status") return;
    const state = status()?.dataset.state;
    if (state === "saved") {
      savedEdits = sentEdits;
      if (dirty()) schedule();
    } else if (state === "conflict") {
      halted = true;
    }
  });
  form.addEventListener("htmx:sendError", (event) => {
    if (event.detail.elt !== form) return;
    setStatus("offline", '<span class="dot dot-bad" aria-hidden="true"></span> <strong>Not saved:</strong> cannot reach the server. Your text is still in this page; retrying…');
    schedule(5000);
  });
  form.addEventListener("htmx:responseError", (event) => {
    if (event.detail.elt !== form) return;
    const code = event.detail.xhr.status;
    if (code === 403 || code === 404) {
      halted = true;
      setStatus("failed", '<span class="dot dot-bad" aria-hidden="true"></span> <strong>Not saved:</strong> you can no longer edit this document. Your text is still in this page; copy what you want to keep.');
      return;
    }
    setStatus("failed", `<span class="dot dot-bad" aria-hidden="true"></span> <strong>Not saved</strong> (the server answered ${code}). Your text is still in this page; retrying…`);
    schedule(10000);
  });
  // Saving by hand while an autosave is on its way would send the old version:
  // wait for the autosave, then submit with the version it brought back.
  let inFlight = false;
  let pendingSubmitter = null;
  form.addEventListener("htmx:beforeSend", (event) => { if (event.detail.elt === form) inFlight = true; });
  form.addEventListener("htmx:afterRequest", (event) => {
    if (event.detail.elt !== form) return;
    // Here, not when the answer settles: htmx sends an autosave queued meanwhile first.
    sendAll = event.detail.xhr?.status !== 200;
    inFlight = false;
    if (pendingSubmitter) {
      const submitter = pendingSubmitter;
      pendingSubmitter = null;
      setTimeout(() => form.requestSubmit(submitter), 50);
    }
  });
  form.addEventListener("submit", (event) => {
    if (inFlight) {
      event.preventDefault();
      pendingSubmitter = event.submitter;
      return;
    }
    halted = true;
    clearTimeout(timer);
    savedEdits = edits;
  });
  window.addEventListener("beforeunload", (event) => {
    if (autosaveOn && dirty()) event.preventDefault();
  });
  window.addEventListener("online", () => { if (dirty()) schedule(0); });

  // --- FAQ entries: add, remove and reorder in the page ------------------
  const entries = document.getElementById("faq-entries");
  const totalForms = form.querySelector("input[name=faq-TOTAL_FORMS]");
  const renumber = () => {
    const items = entries.querySelectorAll(":scope > li.faq-entry");
    items.forEach((li, index) => {
      li.dataset.index = index;
      li.querySelectorAll("[name], [id], [for], [aria-describedby]").forEach((el) => {
        for (const attr of ["name", "id", "for", "aria-describedby"]) {
          const value = el.getAttribute(attr);
          if (value) el.setAttribute(attr, value.replace(/faq-(\d+|__prefix__)-/g, `faq-${index}-`));
        }
      });
      li.querySelector(".faq-number").textContent = index + 1;
      li.querySelectorAll("[data-faq-action]").forEach((button) => {
        const verb = button.dataset.faqAction;
        button.value = `${verb}:${index}`;
        const label = { up: "Move question %n up", down: "Move question %n down", remove: "Remove question %n" }[verb];
        if (label) button.setAttribute("aria-label", label.replace("%n", index + 1));
      });
    });
    totalForms.value = items.length;
    const note = form.querySelector(".faq-empty-note");
    if (note) note.hidden = items.length > 0;
  };

  form.addEventListener("click", (event) => {
    const button = event.target.closest("[data-faq-action]");
    if (!button || !entries) return;
    event.preventDefault();
    const verb = button.dataset.faqAction;
    const li = button.closest("li.faq-entry");
    let focus = button;
    if (verb === "add") {
      const template = document.getElementById("faq-empty-form");
      entries.append(template.content.cloneNode(true));
      renumber();
      focus = entries.lastElementChild.querySelector("textarea");
    } else if (verb === "remove") {
      const next = li.nextElementSibling || li.previousElementSibling;
      li.remove();
      renumber();
      focus = next ? next.querySelector("textarea") : form.querySelector("[data-faq-action=add]");
    } else if (verb === "up" && li.previousElementSibling) {
      li.previousElementSibling.before(li);
      renumber();
    } else if (verb === "down" && li.nextElementSibling) {
      li.nextElementSibling.after(li);
      renumber();
    }
    focus?.focus();
    updateCounts(null);
    changed(null);
  });

  document.addEventListener("click", (event) => {
    const toggle = event.target.closest("[data-action=toggle-preview]");
    if (!toggle) return;
    const main = document.getElementById("main");
    const hidden = main.classList.toggle("preview-hidden");
    toggle.setAttribute("aria-expanded", String(!hidden));
  });
  form.dataset.ready = "true"; // tests wait for this before typing
})();
