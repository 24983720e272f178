"""Chromium, two users of one hub, in the Datasets panel (issue 15, "Per-user datasets,
shared read-only (or writable) with groups" and "export dialogs with progress").

The owner makes a dataset of labelled images (YOLO, made with Pillow), snapshots it and
exports it to COCO: the export runs as a job whose progress bar reaches 100% and then says
what was written (the folder is on disk); a second export fails at the path (409, from the
job) and "Overwrite it" writes it again. The owner shares it with a hub group the other
user is in, "can edit" (a group name with a space is refused at the field first): the
owner's list shows it shared, the member's list shows who owns it and that they can edit,
and the member takes a snapshot of it. The owner switches the group to "can read": a
snapshot the member tries from the page they had open is refused with the service's
message, their list says read-only after a refresh, and the dataset opens for them
without the owner's tools.
Screenshots in the test output folder."""

from __future__ import annotations

import re
from pathlib import Path

from datasets_panel import new_dataset, open_panel, take, wait_ready
from lab import lab_user, log_in
from labelled_images import ITEMS, make_labelled
from playwright.sync_api import Browser, Locator, Page, expect

from conftest import group_with
from harness.hub import Hub

OWNER = "shareowner"
MEMBER = "sharemember"
GROUP = "sharecrew"
SHARED = "birds"


def shot(page: Page, output_dir: Path, name: str) -> None:
    page.screenshot(path=str(output_dir / f"datasets-share-{name}.png"))


def make_dataset(panel: Locator) -> None:
    new_dataset(panel, SHARED, SHARED)
    take(panel, "the first birds", 1)


def export_with_progress(page: Page, panel: Locator, home: Path, output_dir: Path) -> None:
    panel.get_by_role("button", name="Export", exact=True).click()
    form = panel.get_by_role("form", name="Export")
    form.get_by_label("Format").select_option("coco")
    form.get_by_label("Export path").fill("birds-coco")
    form.get_by_role("button", name="Export", exact=True).click()
    bar = form.get_by_role("progressbar", name="Export progress")
    expect(bar).to_have_attribute("aria-valuenow", "100", timeout=60_000)
    expect(bar).to_have_attribute("aria-valuetext", re.compile(r"of \d+ files \(100%\)"))
    expect(form.get_by_role("status")).to_contain_text(
        re.compile(rf"Exported \d+ files \({len(ITEMS)} items, \d+ box(es)?, coco\)"),
    )
    assert (home / "birds-coco").is_dir()
    shot(page, output_dir, "01-exported")
    # Again: the job fails with a 409 at the path, and the dialog offers to overwrite.
    form.get_by_role("button", name="Export", exact=True).click()
    expect(form.get_by_role("alert")).to_contain_text("'birds-coco' exists", timeout=60_000)
    expect(form.get_by_label("Export path")).to_have_attribute("aria-invalid", "true")
    expect(bar).to_have_count(0)
    form.get_by_role("button", name="Overwrite it").click()
    expect(bar).to_have_attribute("aria-valuenow", "100", timeout=60_000)
    expect(form.get_by_role("status")).to_contain_text("Exported", timeout=60_000)
    expect(form.get_by_role("button", name="Overwrite it")).to_have_count(0)
    form.get_by_role("button", name="Close").click()


def share_as(page: Page, panel: Locator, permission: str, output_dir: Path, name: str) -> None:
    """The owner's Share dialog: GROUP (added if missing) at `permission`, saved."""
    panel.get_by_role("button", name="Share", exact=True).click()
    form = panel.get_by_role("form", name="Share")
    rows = form.get_by_role("list", name="Shared with")
    if rows.get_by_role("listitem", name=f"Group {GROUP}").count() == 0:
        form.get_by_label("Group", exact=True).fill("two words")
        form.get_by_role("button", name="Add group").click()
        expect(form.get_by_role("alert")).to_contain_text("has a space")
        form.get_by_label("Group", exact=True).fill(GROUP)
        form.get_by_role("button", name="Add group").click()
    form.get_by_label(f"Permission of {GROUP}").select_option(permission)
    form.get_by_role("button", name="Save sharing").click()
    said = "edit" if permission == "edit" else "read"
    expect(form.get_by_role("status")).to_have_text(f"Saved: {GROUP} can {said}", timeout=30_000)
    expect(form.get_by_role("button", name="Save sharing")).to_be_disabled()
    shot(page, output_dir, name)
    form.get_by_role("button", name="Close").click()


def list_entry(panel: Locator, label: str) -> Locator:
    return panel.get_by_role("button", name=f"Dataset {SHARED}, {label}", exact=True)


def back_to_list(panel: Locator) -> None:
    panel.get_by_role("button", name="Back to all datasets").click()
    panel.get_by_role("button", name="Refresh datasets").click()


def test_a_dataset_shared_to_edit_then_to_read(
    page: Page, browser: Browser, lab_hub: Hub, output_dir: Path
) -> None:
    home = lab_user(lab_hub, OWNER)
    lab_user(lab_hub, MEMBER)
    group_with(lab_hub, GROUP, [MEMBER])
    make_labelled(home / SHARED, "yolo")
    wait_ready(lab_hub.url)

    log_in(page, lab_hub, OWNER)
    panel = open_panel(page)
    make_dataset(panel)
    export_with_progress(page, panel, home, output_dir)
    share_as(page, panel, "edit", output_dir, "02-shared-to-edit")
    back_to_list(panel)
    expect(list_entry(panel, "shared with 1 group")).to_be_visible(timeout=30_000)
    shot(page, output_dir, "03-owner-list")

    member_context = browser.new_context()
    try:
        other = member_context.new_page()
        log_in(other, lab_hub, MEMBER)
        theirs = open_panel(other)
        shared = theirs.get_by_role("list", name="Datasets shared with you")
        entry = list_entry(shared, f"shared by {OWNER} · can edit")
        expect(entry).to_be_visible(timeout=30_000)
        shot(other, output_dir, "04-member-list")
        entry.click()
        expect(theirs.get_by_text(f"owner {OWNER} · you can edit")).to_be_visible(timeout=30_000)
        member_tools = theirs.get_by_label("Dataset tools")
        expect(member_tools.get_by_role("button", name="Share", exact=True)).to_have_count(0)
        take(theirs, "a member's snapshot", 2)
        shot(other, output_dir, "04b-member-snapshot")
        list_entry(panel, "shared with 1 group").click()
        share_as(page, panel, "read", output_dir, "05-shared-to-read")
        # The member's page still shows the snapshot form: the service refuses.
        theirs.get_by_label("Snapshot message").fill("not any more")
        theirs.get_by_role("button", name="Take snapshot").click()
        expect(theirs.get_by_role("alert")).to_contain_text(
            f"belongs to {OWNER} and is shared with you read-only", timeout=30_000
        )
        shot(other, output_dir, "05b-member-refused")
        theirs.get_by_role("button", name="Back to all datasets").click()
        theirs.get_by_role("button", name="Refresh datasets").click()
        read_only = list_entry(shared, f"shared by {OWNER} · read-only")
        expect(read_only).to_be_visible(timeout=30_000)
        read_only.click()
        expect(theirs.get_by_role("heading", name=SHARED)).to_be_visible(timeout=30_000)
        expect(theirs.get_by_text(f"owner {OWNER} · read-only")).to_be_visible()
        snapshot = theirs.get_by_role("listitem", name="Snapshot 1", exact=True)
        expect(snapshot).to_contain_text("the first birds", timeout=30_000)
        expect(theirs.get_by_role("listitem", name="Snapshot 2", exact=True)).to_contain_text(
            "a member's snapshot"
        )
        expect(snapshot.get_by_role("button", name="Tag snapshot 1")).to_have_count(0)
        # Shares are the owner's business: no Share, Export or Take snapshot here.
        tools = theirs.get_by_label("Dataset tools")
        expect(tools.get_by_role("button", name="Lineage")).to_be_visible()
        expect(tools.get_by_role("button", name="Share", exact=True)).to_have_count(0)
        expect(theirs.get_by_role("button", name="Take snapshot")).to_have_count(0)
        shot(other, output_dir, "06-member-read-only")
    finally:
        member_context.close()
