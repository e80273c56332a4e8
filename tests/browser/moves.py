"""The case page opens one move's form; the others are links to the page with theirs open."""


def open_move(page, panel_id: str) -> None:
    """Show the form of `panel_id` (e.g. "action-resolve"), following its link if it is one."""
    if page.locator(f"#{panel_id} form").count() == 0:
        page.locator(f"#{panel_id} a").first.click()
        page.wait_for_load_state()
    assert page.locator(f"#{panel_id} form").count() == 1
