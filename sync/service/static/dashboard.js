// Lazy tree: a row's children are fetched (server-rendered rows) the first time it opens.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("button.toggle");
  if (!button) return;
  const item = button.closest("li");
  let list = item.querySelector(":scope > ul");
  if (list) {
    list.hidden = !list.hidden;
  } else {
    button.disabled = true;
    const answer = await fetch("/dashboard/children?root=" + encodeURIComponent(button.dataset.id),
      { credentials: "same-origin" });
    list = document.createElement("ul");
    list.className = "tree";
    list.innerHTML = answer.ok ? await answer.text() : "";
    item.appendChild(list);
    button.disabled = false;
  }
  button.setAttribute("aria-expanded", String(!list.hidden));
  button.textContent = list.hidden ? "▸" : "▾";
});
