"""Chromium, two hub users in two browser contexts (issue 18, "share, accept, co-edit,
revoke").

The owner clicks JupyterLab's Share button, which opens the hub's Share page for the
workspace; they share it with the guest (the page asks before restarting the running
workspace without the owner's tokens) and see the guest listed. The guest finds it on their
hub home page under *Shared with you*, opens it (JupyterHub asks them once to let the server
identify them; there is no Share button for them), and both open one notebook: what the
owner types appears in the guest's notebook (how soon: bench/coedit.py), with the owner's
name on their cursor and in the guest's list of collaborators online. The owner revokes
the share on the same page: the workspace restarts and the guest's next request is
refused.

Before revoking, version history (issue 18, "version restore brings back a notebook a test
deliberately cleared"): the owner deletes every cell, which both see; the History panel
lists the version kept before that save and the one kept before the guest joined; the
owner compares the first with now (nbdime's diff shows the deleted cells) and restores it;
the cells come back in both browsers. Screenshots in the test output folder."""

from __future__ import annotations

import json
import time
from pathlib import Path

from lab import hub_login, lab_user, log_in, notebook, wait_for_lab
from playwright.sync_api import Browser, Page, expect

from galilean_hub.config import COLLABORATION_STORE
from harness.hub import Hub

OWNER = "colabowner"
GUEST = "colabguest"
NOTEBOOK = "together.ipynb"
# How long an edit may take to reach the other browser before the test calls it lost: a
# bound for a loaded CI machine, not the target. The propagation time itself is measured
# (and printed) below, over 20 edits; the CI run once saw a 23-character line arrive
# keystroke by keystroke for over 2 s while both workers were busy.
SEEN_WITHIN_MS = 15_000


def shot(page: Page, output_dir: Path, name: str) -> None:
    page.screenshot(path=str(output_dir / f"sharing-{name}.png"))


def open_notebook(page: Page, url: str) -> None:
    page.goto(f"{url}lab/tree/{NOTEBOOK}")
    wait_for_lab(page)
    expect(page.locator(".jp-Notebook .jp-Cell").first).to_be_visible(timeout=60_000)


def sources_on_disk(path: Path) -> list[str]:
    try:
        cells = json.loads(path.read_text())["cells"]
    except (ValueError, KeyError):
        return ["(being written)"]
    return ["".join(cell["source"]) for cell in cells]


def clear_and_restore(owner: Page, guest: Page, path: Path, output_dir: Path) -> None:
    guest_cells = guest.locator(".jp-Notebook .jp-Cell")
    expect(guest_cells).to_have_count(3)
    # Every cell deleted (command mode, select all, delete): one empty cell remains.
    owner.locator(".jp-Notebook .jp-Cell .jp-InputPrompt").first.click()
    owner.keyboard.press("Escape")
    owner.keyboard.press("Control+a")
    owner.keyboard.press("d")
    owner.keyboard.press("d")
    expect(guest_cells).to_have_count(1, timeout=SEEN_WITHIN_MS)
    deadline = time.monotonic() + 30  # collaboration's autosave writes it within seconds
    while sources_on_disk(path) != [""] and time.monotonic() < deadline:
        owner.wait_for_timeout(200)
    assert sources_on_disk(path) == [""]

    owner.locator(".jp-SideBar .lm-TabBar-tab[data-id='galilean-history']").click()
    panel = owner.locator("#galilean-history")
    before_clearing = panel.locator("li", has_text="Before a save that removed 2 of 3 cells")
    expect(before_clearing).to_have_count(1, timeout=10_000)
    expect(panel.locator("li", has_text=f"Before {GUEST} joined")).to_have_count(1)
    shot(owner, output_dir, "06-history")
    before_clearing.get_by_role("button", name="Compare", exact=True).click()
    compared = owner.locator(".jp-GalileanHistory-compare")
    expect(compared.locator(".jp-Notebook-diff")).to_be_visible(timeout=30_000)
    expect(compared.locator(".jp-Diff-deleted", has_text="print(y)").first).to_be_visible()
    shot(owner, output_dir, "07-compare")
    owner.get_by_role("button", name="Restore this version").click()
    owner.locator(".jp-Dialog").get_by_role("button", name="Restore").click()
    # The file is written; collaboration reloads it in every open copy.
    expect(guest_cells).to_have_count(3, timeout=15_000)
    expect(guest_cells.last).to_contain_text("print(y)")
    expect(owner.locator(".jp-NotebookPanel .jp-Cell")).to_have_count(3)
    assert sources_on_disk(path)[2] == "print(y)"
    expect(panel.locator("li", has_text="Before restoring")).to_have_count(1, timeout=10_000)
    shot(guest, output_dir, "08-restored-guest")


def comment_reply_resolve(owner: Page, guest: Page, path: Path, output_dir: Path) -> None:
    owner.locator(".jp-Notebook .jp-Cell").nth(1).locator(".jp-InputPrompt").click()
    owner.locator(".jp-SideBar .lm-TabBar-tab[data-id='galilean-comments']").click()
    owner.get_by_label("Comment on cell 2").fill("Why double it?")
    owner.locator("#galilean-comments").get_by_role("button", name="Comment").click()
    # The guest sees a badge on that cell, opens the thread from it and replies.
    badge = guest.locator(".jp-Notebook .jp-Cell").nth(1).locator(".jp-GalileanComments-badge")
    expect(badge).to_have_text("1 comment", timeout=5_000)
    badge.click()
    thread = guest.locator("#galilean-comments li", has_text="Why double it?")
    expect(thread).to_contain_text(OWNER)
    thread.get_by_role("button", name="Reply").click()
    guest.get_by_label("Your reply").fill("To compare with last year")
    thread.get_by_role("button", name="Reply").click()
    owner_thread = owner.locator("#galilean-comments li", has_text="Why double it?")
    expect(owner_thread).to_contain_text("To compare with last year", timeout=5_000)
    shot(owner, output_dir, "09-comments-owner")
    owner_thread.get_by_role("button", name="Resolve").click()
    expect(badge).to_have_count(0, timeout=5_000)
    shot(guest, output_dir, "10-comments-resolved-guest")
    # Kept in the cell's metadata in the file (collaboration's autosave).
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            meta = json.loads(path.read_text())["cells"][1]["metadata"]
            kept = meta.get("galilean", {}).get("comments", [])
        except (ValueError, KeyError, IndexError):
            kept = []
        if kept and kept[0].get("resolved"):
            break
        owner.wait_for_timeout(200)
    assert [(t["author"], t["text"], t["resolved"]) for t in kept] == [
        (OWNER, "Why double it?", True)
    ]
    assert [(r["author"], r["text"]) for r in kept[0]["replies"]] == [
        (GUEST, "To compare with last year")
    ]


def test_share_coedit_and_revoke(browser: Browser, lab_hub: Hub, output_dir: Path) -> None:
    home = lab_user(lab_hub, OWNER)
    lab_user(lab_hub, GUEST)
    (home / NOTEBOOK).write_text(json.dumps(notebook(["x = 1", "y = x * 2", "print(y)"])))
    owner_context = browser.new_context()
    guest_context = browser.new_context()
    try:
        owner = owner_context.new_page()
        log_in(owner, lab_hub, OWNER)
        share_button = owner.locator("#galilean-share-button")
        expect(share_button).to_be_visible(timeout=30_000)
        with owner_context.expect_page() as opened:
            share_button.click()
        page = opened.value
        page.wait_for_load_state()
        expect(page.get_by_role("heading", name="Share “Home”")).to_be_visible()
        expect(page.locator("#galilean-share-state")).to_contain_text("Running private")
        page.fill("#galilean-share-name", GUEST)
        page.once("dialog", lambda dialog: dialog.accept())  # "Restart it shared now?"
        page.click("#galilean-share-add")
        row = page.locator(f"#galilean-share-list tr[data-name='{GUEST}']")
        expect(row).to_be_visible(timeout=120_000)
        expect(page.locator("#galilean-share-state")).to_contain_text("Running shared")
        shot(page, output_dir, "01-shared")

        guest = guest_context.new_page()
        hub_login(guest, lab_hub, GUEST)
        shared = guest.locator(f"#galilean-shared-with-me tr[data-owner='{OWNER}']")
        expect(shared).to_be_visible()
        shot(guest, output_dir, "02-shared-with-me")
        owner_url = f"{lab_hub.url}/user/{OWNER}/"
        open_notebook(owner, owner_url)  # the owner's page again: the server restarted
        shared.get_by_role("button", name="Open").click()
        # JupyterHub asks a guest once to let the owner's server identify them.
        guest.get_by_role("button", name="Authorize").click()
        guest.wait_for_url(f"{owner_url}lab**", timeout=120_000)
        wait_for_lab(guest)
        open_notebook(guest, owner_url)
        # By now the page's plugins are active: the owner's page has the button, not hers.
        expect(owner.locator("#galilean-share-button")).to_be_visible()
        expect(guest.locator("#galilean-share-button")).to_have_count(0)

        # The owner types; the guest sees it, and whose cursor it is.
        editor = owner.locator(".jp-Notebook .jp-Cell .cm-content").first
        editor.click()
        owner.keyboard.press("End")
        began = time.monotonic()
        owner.keyboard.type(" + 41  # from the owner")
        guest_cell = guest.locator(".jp-Notebook .jp-Cell .cm-content").first
        expect(guest_cell).to_contain_text("# from the owner", timeout=SEEN_WITHIN_MS)
        seen = time.monotonic() - began
        # The owner's cursor in the guest's cell is named on hover; both are online.
        guest.locator(".jp-Notebook .jp-Cell .jp-remote-cursor").first.hover(force=True)
        expect(guest.locator(".jp-remote-userFlag-name", has_text=OWNER)).to_be_visible()
        # The collaborators panel lists the owner once awareness reaches it (seconds on a
        # busy machine: the CI rehearsal once missed the default 5 s).
        expect(guest.locator(".jp-CollaboratorHeader", has_text=OWNER)).to_have_count(
            1, timeout=30_000
        )
        guest_cell.click()
        guest.keyboard.press("End")
        guest.keyboard.type("  # and the guest")
        expect(editor).to_contain_text("# and the guest", timeout=SEEN_WITHIN_MS)
        shot(guest, output_dir, "03-coedit-guest")
        shot(owner, output_dir, "04-coedit-owner")
        # One edit here; bench/coedit.py measures the median of 20 each way.
        print(f"an edit reached the other browser in {seen:.2f} s")

        # Collaboration's store is out of the listed files (its journal, made and deleted with
        # each write, failed listings of the root: "Directory not found").
        assert (home / COLLABORATION_STORE).is_file()
        assert not list(home.glob(".jupyter_ystore*"))

        clear_and_restore(owner, guest, home / NOTEBOOK, output_dir)
        comment_reply_resolve(owner, guest, home / NOTEBOOK, output_dir)

        # Revoke on the Share page: the workspace restarts, the guest is out.
        page.reload()
        page.once("dialog", lambda dialog: dialog.accept())  # "…restarts…"
        row.get_by_role("button", name="Revoke").click()
        expect(row).to_have_count(0, timeout=120_000)
        expect(page.locator("#galilean-share-none")).to_be_visible()
        shot(page, output_dir, "05-revoked")
        answer = guest.request.get(f"{owner_url}api/contents", max_redirects=0)
        assert answer.status in (302, 403, 404), answer.status
    finally:
        owner_context.close()
        guest_context.close()
