// Render $...$ and $$...$$ (marked up by pymdownx.arithmatex) with the local KaTeX copy.
document$.subscribe(() => {
  document.querySelectorAll(".arithmatex").forEach((el) => {
    const tex = el.textContent.replace(/^\\\(|\\\)$|^\\\[|\\\]$/g, "");
    katex.render(tex, el, { displayMode: el.tagName === "DIV", throwOnError: false });
  });
});
