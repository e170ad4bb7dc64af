"""Every screen in every language of a six-language centre, at the sizes it is made for: the kiosk's start
screen (portrait kiosk 1080x1920, tablet 1280x800) and ticket screen, a board (1920x1080), the desk with a called
ticket (1440x900), the phone page (390x844), and the staff pages (the dashboard and every management page,
1440x900), each in fi, sv, en, ru, et and ar.

Each screen, once drawn, must say which language it is in (``lang``, and ``dir="rtl"`` for Arabic), have no
element whose content is wider than its box and none sticking out of the screen sideways, have no serious or
critical axe-core violation, show no catalogue key instead of a text and no text in another language
(``untranslated.py``).  Screenshots land in tests/artifacts/
as ``lang-<screen>-<lang>-<w>x<h>.png`` (docs/screens.md shows some).  One browser per size keeps this quick.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from queue_server.i18n.catalogue import catalogues, text

from .conftest import CLERK, Site, browser_config, serve_site
from .test_admin_accessibility import PAGES as ADMIN_PAGES
from .test_admin_accessibility import run_axe
from .test_admin_pages import MANAGER
from .test_pages_in_browser import find, press, set_viewport, shown, sign_in, text_of, wait
from .untranslated import page_leaks

pytestmark = pytest.mark.browser

LANGUAGES = ["fi", "sv", "en", "ru", "et", "ar"]
KEYLIKE = re.compile(r"\b[a-z_]+\.[a-z_]+\b")
#: the boards' zone and desks, named in every language (the centre's other names fall back to Finnish)
LOBBY = {"fi": "Aula", "sv": "Entréhallen", "en": "Lobby", "ru": "Вестибюль", "et": "Fuajee", "ar": "الردهة"}
DESK = {"fi": "Tiski", "sv": "Disk", "en": "Desk", "ru": "Окно", "et": "Lett", "ar": "الشباك"}
#: what the centre names things in its configuration: shown as written, in whatever language it is written
NAMES: list[str] = []
SLOW = 10.0  # first loads of a fresh page: sockets, snapshots, fonts

#: every visible element: its content no wider than its box, and the box inside the screen sideways
OVERFLOW_JS = """
const out = [], width = document.documentElement.clientWidth;
for (const e of document.querySelectorAll('body, body *')) {
  const style = getComputedStyle(e), box = e.getBoundingClientRect();
  if (style.display === 'none' || style.visibility === 'hidden' || box.width === 0 || box.height === 0) continue;
  if (style.position === 'absolute' && style.clip !== 'auto') continue;  /* a visually hidden text */
  const what = e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
    (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\\s+/).join('.') : '');
  if (e.scrollWidth > e.clientWidth + 1 && style.display !== 'inline')
    out.push(what + ': content ' + e.scrollWidth + 'px in a ' + e.clientWidth + 'px box');
  if (box.left < -1 || box.right > width + 1)
    out.push(what + ': ' + Math.round(box.left) + '..' + Math.round(box.right) + ' on a ' + width + 'px screen');
}
return out;"""

#: what the page shows or says: its visible text and the texts it gives a screen reader
WORDS_JS = """
const words = [document.body.innerText, document.title];
for (const e of document.querySelectorAll('[aria-label], [title], [placeholder], [alt]'))
  for (const a of ['aria-label', 'title', 'placeholder', 'alt']) if (e.getAttribute(a)) words.push(e.getAttribute(a));
return words.join('\\n');"""


def strings_in(data: Any) -> Iterator[str]:
    """Every string in a configuration: the names a centre gives its services, desks and zones."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from strings_in(value)
    elif isinstance(data, list):
        for value in data:
            yield from strings_in(value)


def lang_config(tmp: Path) -> dict[str, Any]:
    """The shared test centre in six languages, with a zone (and two desks in it) per language for its board."""
    data = browser_config(tmp)
    data["centre"]["languages"] = list(LANGUAGES)
    for lang in LANGUAGES:
        data["zones"].append({"key": f"z-{lang}", "language": lang, "name": LOBBY})
        data["desks"] += [
            {
                "key": f"b{n}-{lang}",
                "label": {code: f"{word} {n}" for code, word in DESK.items()},
                "services": ["library"],
                "zone": f"z-{lang}",
            }
            for n in (8, 9)
        ]
    return data


@pytest.fixture(scope="module")
def site(chromium_paths: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Overrides the shared site: six languages, a board zone per language."""
    tmp = tmp_path_factory.mktemp("languages")
    data = lang_config(tmp)
    NAMES.extend([*strings_in(data), CLERK[0], MANAGER[0]])  # and the accounts' names
    yield from serve_site(data, tmp, {"clerk": CLERK, "admin": MANAGER}, ("k1",), "language-tests")


@pytest.fixture(scope="module")
def drivers(new_driver: Callable[..., Any]) -> Callable[[int, int], Any]:
    """One browser per screen size, started when first asked for."""
    made: dict[tuple[int, int], Any] = {}

    def get(width: int, height: int) -> Any:
        if (width, height) not in made:
            driver = new_driver(width, height)
            set_viewport(driver, width, height)
            driver.set_script_timeout(30)
            made[width, height] = driver
        return made[width, height]

    return get


@pytest.fixture(scope="module")
def clerk(site: Site, drivers: Callable[[int, int], Any]) -> Any:
    driver = drivers(1440, 900)
    sign_in(driver, site.url, site.clerk, "/desk%3Fdesk%3Dd1", "/desk?desk=d1", SLOW)
    return driver


def api(site: Site, path: str, token: str, body: dict[str, Any]) -> dict[str, Any]:
    resp = requests.post(f"{site.url}{path}", json=body, timeout=10, headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code in (200, 201), resp.text
    return dict(resp.json())


def issue(site: Site, service: str, language: str) -> dict[str, Any]:
    body = {"services": [service], "language": language, "kiosk": "k1"}
    return dict(api(site, "/api/tickets", site.kiosk_tokens["k1"], body)["ticket"])


def check(driver: Any, lang: str, artifacts: Path, screen: str) -> None:
    """The checks every screen gets, and its screenshot: saved first, so that a failing screen can be looked at."""
    width, height = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    driver.save_screenshot(str(artifacts / f"lang-{screen}-{lang}-{width}x{height}.png"))
    lang_, dir_ = driver.execute_script("return [document.documentElement.lang, document.documentElement.dir]")
    assert lang_ == lang
    assert (dir_ == "rtl") == (lang == "ar"), f"dir={dir_!r}"
    overflow = driver.execute_script(OVERFLOW_JS)
    assert overflow == [], "\n".join(overflow)
    keys = catalogues().keys
    shown_keys = sorted({k for k in KEYLIKE.findall(driver.execute_script(WORDS_JS)) if k in keys})
    assert shown_keys == [], "untranslated keys on the screen"
    leaked = page_leaks(driver, lang, NAMES)
    assert leaked == [], "text in another language on the screen:\n" + "\n".join(leaked)
    serious = [
        (v["id"], v["help"], [n.get("target") for n in v["nodes"][:3]])
        for v in run_axe(driver)
        if v.get("impact") in ("serious", "critical")
    ]
    assert serious == []


def idle(driver: Any) -> None:
    """The page's last action is answered (it ignores actions while one is on its way)."""
    wait(driver, lambda d: "is-busy" not in find(d, "body").get_attribute("class"), SLOW, "the desk stays busy")


def names_at_the_start(driver: Any, css: str) -> list[str]:
    """The names under ``css`` not set against the right edge of their box (a right-to-left page's start), even a
    name in a left-to-right language ("Kirjasto"): it reads beside its own row, not beside the next column."""
    return list(
        driver.execute_script(
            """
        return Array.from(document.querySelectorAll(arguments[0]), (e) => {
          const range = document.createRange();
          range.selectNodeContents(e);
          const text = range.getBoundingClientRect(), box = e.getBoundingClientRect();
          const right = box.right - parseFloat(getComputedStyle(e).paddingRight);
          return Math.abs(text.right - right) <= 2 ? null : e.textContent + ': ends ' + Math.round(right - text.right)
            + 'px from the right';
        }).filter((x) => x);""",
            css,
        )
    )


def open_kiosk(driver: Any, site: Site, lang: str) -> None:
    driver.get(f"{site.url}/kiosk/k1?lang={lang}#token={site.kiosk_tokens['k1']}")
    wait(
        driver,
        lambda d: (
            find(d, "#tiles").get_attribute("aria-busy") == "false"
            and text_of(d, "#start-title") == text("kiosk.choose", lang)
        ),
        SLOW,
        "the kiosk did not draw its tiles",
    )


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("size", [(1080, 1920), (1280, 800)], ids=["kiosk", "tablet"])
def test_the_kiosk_start_screen(
    site: Site, drivers: Callable[[int, int], Any], artifacts: Path, lang: str, size: tuple[int, int]
) -> None:
    driver = drivers(*size)
    open_kiosk(driver, site, lang)
    check(driver, lang, artifacts, "kiosk")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_kiosk_ticket_screen(site: Site, drivers: Callable[[int, int], Any], artifacts: Path, lang: str) -> None:
    driver = drivers(1080, 1920)
    open_kiosk(driver, site, lang)
    find(driver, '[data-service="kela"]').click()
    find(driver, "#get-ticket").click()
    wait(
        driver,
        lambda d: shown(d, "#screen-ticket") and re.fullmatch(r"K\d{3}", text_of(d, "#ticket-number")),
        SLOW,
        "no ticket screen",
    )
    # the printer's answer is in: the screen has its final words
    wait(driver, lambda d: "is-printed" in find(d, "#print-status").get_attribute("class"), SLOW, "not printed")
    check(driver, lang, artifacts, "kiosk-ticket")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_board_in_the_zones_language(
    site: Site, drivers: Callable[[int, int], Any], artifacts: Path, lang: str
) -> None:
    driver = drivers(1920, 1080)
    driver.get(f"{site.url}/board/z-{lang}")
    title = "return document.getElementById('now-title').textContent"  # upper-cased by CSS only
    wait(driver, lambda d: d.execute_script(title) == text("board.now", lang), SLOW, "the board did not load")
    for desk in (8, 9):  # a call and one before it: the history list has a row
        issue(site, "library", lang)
        number = api(site, f"/api/desks/b{desk}-{lang}/next", site.desk_token, {})["ticket"]["number"]
    wait(
        driver,
        lambda d: text_of(d, "#now-number") == number and text_of(d, "#history"),
        SLOW,
        "the board does not show the calls",
    )
    # a new call flashes: measure the settled board
    wait(
        driver,
        lambda d: d.execute_script("return document.getAnimations().every((a) => a.playState !== 'running')"),
        SLOW,
        "still flashing",
    )
    check(driver, lang, artifacts, "board")
    if lang == "ar":
        assert names_at_the_start(driver, "#queues .queue-name, #history .history-desk") == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_desk_with_a_called_ticket(site: Site, clerk: Any, artifacts: Path, lang: str) -> None:
    number = issue(site, "kela", lang)["number"]
    clerk.get(f"{site.url}/desk?desk=d1&lang={lang}")
    wait(
        clerk,
        lambda d: (
            d.execute_script("return document.documentElement.lang") == lang
            and f'data-number="{number}"' in d.page_source
        ),
        SLOW,
        "the desk does not list the new ticket",
    )
    if shown(clerk, "#cur-ticket"):  # the previous language's ticket: finished first
        press(clerk, "f")
        wait(clerk, lambda d: shown(d, "#cur-none"), SLOW, "the previous ticket was not finished")
    idle(clerk)
    # the list is redrawn on every push: a row found a moment ago may be gone, so find it again until clicked
    call = f'#queue-list li[data-number="{number}"] button'
    wait(clerk, lambda d: find(d, call).click() or True, SLOW, "the ticket's Call button did not answer")
    wait(
        clerk,
        lambda d: text_of(d, "#cur-number") == number and f'data-number="{number}"' not in d.page_source,
        SLOW,
        "the called ticket is not off the waiting list",
    )
    idle(clerk)
    # the visitor's language, said in the clerk's (here the same language: every one has its own sentence)
    assert find(clerk, "#cur-language").get_attribute("title") == text(f"desk.visitor_lang_{lang}", lang)
    check(clerk, lang, artifacts, "desk")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_phone_page_of_a_ticket(site: Site, drivers: Callable[[int, int], Any], artifacts: Path, lang: str) -> None:
    ticket = issue(site, "kela", lang)
    driver = drivers(390, 844)
    driver.get(f"{site.url}/t/{ticket['token']}?lang={lang}")
    wait(
        driver,
        lambda d: text_of(d, "#phone-number") == ticket["number"] and text_of(d, "#phone-position"),
        SLOW,
        "the phone page did not draw the ticket",
    )
    check(driver, lang, artifacts, "phone")


@pytest.fixture(scope="module")
def manager(site: Site, new_driver: Callable[..., Any]) -> Any:
    """A manager's browser of its own (the clerk's keeps the clerk's session)."""
    driver = new_driver(1440, 900)
    set_viewport(driver, 1440, 900)
    driver.set_script_timeout(30)
    sign_in(driver, site.url, MANAGER, "/admin", "/admin", SLOW)
    return driver


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_staff_pages(site: Site, manager: Any, artifacts: Path, lang: str) -> None:
    """The dashboard (once its live tables and statistics are in) and every management page."""
    manager.get(f"{site.url}/admin?lang={lang}")
    wait(
        manager,
        lambda d: (
            "live-on" in find(d, "#live").get_attribute("class")
            and d.find_elements("css selector", "#stats-summary tbody tr.total")
        ),
        SLOW,
        "the dashboard did not load",
    )
    check(manager, lang, artifacts, "dashboard")
    for path in ADMIN_PAGES:
        manager.get(f"{site.url}{path}?lang={lang}")
        wait(manager, lambda d: find(d, "#main"), SLOW, f"{path} did not load")
        check(manager, lang, artifacts, f"staff-{path.rsplit('/', 1)[-1]}")
