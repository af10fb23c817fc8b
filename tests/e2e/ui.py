"""What the scenarios do in the browser: log in, navigate, read what is shown."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
import re

from playwright.sync_api import Locator, Page

from .stack import PASSWORD, USERNAME

# Every text node under the document, open shadow roots included.
DEEP_TEXT_JS = """(root) => {
  const out = [];
  const walk = (node) => {
    if (node.nodeType === 3) { const t = node.textContent.trim(); if (t) out.push(t); return; }
    if (node.nodeType === 1) {
      if (['STYLE', 'SCRIPT', 'TEMPLATE'].includes(node.tagName)) return;
      if (node.shadowRoot) walk(node.shadowRoot);
    }
    for (const child of node.childNodes) walk(child);
  };
  walk(root || document);
  return out;
}"""

# The texts of each entity row (name, then value) on a device or dashboard page.
ENTITY_ROWS_JS = """() => {
  const rows = [];
  const find = (node) => {
    if (node.tagName === 'HUI-GENERIC-ENTITY-ROW') rows.push(node);
    if (node.shadowRoot) find(node.shadowRoot);
    for (const child of node.children || []) find(child);
  };
  find(document.documentElement);
  const walk = (node, out) => {
    if (node.nodeType === 3) { const t = node.textContent.trim(); if (t) out.push(t); return; }
    if (node.nodeType === 1) {
      if (['STYLE', 'SCRIPT'].includes(node.tagName)) return;
      if (node.shadowRoot) walk(node.shadowRoot, out);
    }
    for (const child of node.childNodes) walk(child, out);
  };
  return rows.map((row) => { const out = []; walk(row, out); return out; });
}"""

# The bottom edge of the first entity row whose name is the argument.
ROW_BOTTOM_JS = """(name) => {
  const find = (node) => {
    if (node.tagName === 'HUI-GENERIC-ENTITY-ROW') {
      const info = node.shadowRoot && node.shadowRoot.querySelector('.info');
      if (info && info.textContent.trim().startsWith(name)) return node;
    }
    for (const child of [...(node.shadowRoot ? [node.shadowRoot] : []), ...(node.children || [])]) {
      const found = find(child);
      if (found) return found;
    }
    return null;
  };
  const row = find(document.documentElement);
  return row ? row.getBoundingClientRect().bottom : -1;
}"""

# Raw translation keys: a frontend or integration key, or a bare snake_case word.
RAW_KEY_RES = (
    re.compile(r"\bcomponent\.dyness\b"),
    re.compile(r"\bconfig\.(abort|error|step)\b"),
    re.compile(r"\bui\.panel\b"),
    re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$"),
)


@dataclass
class Ui:
    """One logged-in browser page of Home Assistant, and its screenshots."""

    page: Page
    base_url: str
    shots: Path
    scenario: str = ""
    shot_count: int = 0

    def login(self) -> None:
        """Log in through Home Assistant's login page."""
        self.page.goto(self.base_url)
        self.page.get_by_role("textbox", name="Username").fill(USERNAME)
        self.page.get_by_role("textbox", name="Password").fill(PASSWORD)
        self.page.get_by_role("button", name="Log in").click()
        self.page.wait_for_url(re.compile(r".*/lovelace.*"))
        # Pages opened before the tokens are stored land on the login page again.
        self.page.wait_for_function("() => !!localStorage.getItem('hassTokens')")

    def open(self, path: str, ready: str | None = None) -> None:
        """Open a frontend path; wait for a text to show, or for the page to settle."""
        self.page.goto(f"{self.base_url}{path}")
        if ready is not None:
            self.page.get_by_text(ready).first.wait_for()
        self.settle()

    def settle(self, ms: int = 800) -> None:
        """Give the frontend a moment to render what it received."""
        self.page.wait_for_load_state("networkidle")
        self.page.wait_for_timeout(ms)

    def shot(self, name: str, *, full_page: bool = False) -> Path:
        """Save a numbered screenshot of this step."""
        self.shot_count += 1
        path = self.shots / f"{self.shot_count:02d}-{self.scenario}-{name}.png"
        self.page.screenshot(path=path, full_page=full_page)
        return path

    def texts(self, root: Locator | None = None) -> list[str]:
        """Return every shown text (shadow roots included)."""
        if root is None:
            return list(self.page.evaluate(DEEP_TEXT_JS))
        return list(root.evaluate(DEEP_TEXT_JS))

    def rows(self) -> dict[str, str]:
        """Return the entity rows on the page as name → shown value."""
        rows: dict[str, str] = {}
        for texts in self.page.evaluate(ENTITY_ROWS_JS):
            if len(texts) >= 2:
                rows[texts[0]] = texts[-1]
        return rows

    def row_bottom(self, name: str) -> float:
        """Return the page y of the bottom of the first entity row called `name`."""
        return float(self.page.evaluate(ROW_BOTTOM_JS, name))

    def raw_keys(self) -> list[str]:
        """Return shown texts that look like untranslated keys."""
        return sorted(
            {
                text
                for text in self.texts()
                if any(pattern.search(text) for pattern in RAW_KEY_RES)
            }
        )

    def button(self, name: str) -> Locator:
        """Return the visible button of that name."""
        return self.page.get_by_role("button", name=name).first

    def dialog(self) -> Locator:
        """Return the open data entry flow dialog (config, options, reconfigure)."""
        return self.page.locator("dialog-data-entry-flow")

    def dialog_texts(self) -> str:
        """Return the texts of the open flow dialog as one line."""
        return " ".join(self.texts(self.dialog()))

    def set_advanced_mode(self) -> None:
        """Turn on Advanced mode on the user's profile page."""
        self.open("/profile/general")
        switch = self.page.locator("ha-advanced-mode-row ha-switch")
        if not switch.evaluate("(el) => el.checked"):
            switch.click()
        self.page.wait_for_function("(el) => el.checked", arg=switch.element_handle())

    def set_language(self, name: str) -> None:
        """Choose the user's language on the profile page (its own name, e.g. Deutsch)."""
        self.open("/profile/general")
        self.page.locator("ha-pick-language-row ha-language-picker").click()
        self.page.get_by_role("option", name=name, exact=True).click()
        self.page.wait_for_function(
            "(lang) => document.documentElement.lang === lang",
            arg=LANGUAGE_CODES[name],
        )
        self.settle(1500)


LANGUAGE_CODES = {"English": "en", "Deutsch": "de", "Français": "fr"}
