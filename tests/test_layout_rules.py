"""Rules of the repository's layout that nothing else would catch until a deep link failed."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENTRY = ROOT / "app.py"


def test_no_pages_folder_next_to_app_py():
    # Streamlit 1.67 finds a pages/ folder beside the entry script and starts in its legacy
    # multipage mode: until app.py has first run, a deep link such as /go-live after a restart
    # shows "Page not found" before st.navigation is reached. The pages live in app_pages/.
    assert ENTRY.is_file()
    found = [p.name for p in ENTRY.parent.iterdir() if p.name.lower() == "pages"]
    assert not found, (
        f"{found[0]}/ next to app.py puts Streamlit in its legacy multipage mode and breaks deep "
        "links; put pages in app_pages/ and list them in app.py's st.navigation"
    )


def test_app_py_navigates_over_app_pages():
    pages = ROOT / "app_pages"
    assert pages.is_dir() and any(pages.glob("*.py"))
    assert "st.navigation" in ENTRY.read_text()
