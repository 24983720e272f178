"""What the browser tests of the pipeline designer (issue 14) find on the page: nodes by
xyflow's test id, edges and the side panel by their accessible names, the document's
toolbar; a node selected as a user does (waiting until the side panel shows it)."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from harness.hub import REPO

EXAMPLES = REPO / "extensions" / "galilean_server" / "examples" / "flows"


def node(page: Page, node_id: str) -> Locator:
    return page.get_by_test_id(f"rf__node-{node_id}")


def nodes(page: Page) -> Locator:
    return page.locator(".jp-GalileanFlow .react-flow__node")


def edge(page: Page, source: str, target: str) -> Locator:
    return page.get_by_role("group", name=f"Edge from {source} to {target}")


def side_panel(page: Page) -> Locator:
    return page.get_by_role("complementary", name="Node parameters")


def toolbar(page: Page, label: str) -> Locator:
    """A button of the flow document's toolbar (versions, publish, parameters)."""
    bar = page.locator(".jp-MainAreaWidget:has(.jp-GalileanFlow) > .jp-Toolbar")
    return bar.get_by_role("button", name=label, exact=True)


def select(page: Page, node_id: str) -> Locator:
    """Click the node's title; answers the side panel once it shows that node (the
    selection reaches the editor a moment after the click)."""
    node(page, node_id).locator(".jp-GalileanFlow-nodeTitle").click()
    side = side_panel(page)
    expect(side.locator(".jp-GalileanFlow-formTitle")).to_contain_text(node_id)
    return side


def every_node_in_view(page: Page) -> None:
    """Wait until every node is drawn inside the canvas's box."""
    page.wait_for_function(
        """() => {
            const frame = document.querySelector('[data-testid="rf__wrapper"]');
            const nodes = frame ? [...frame.querySelectorAll('.react-flow__node')] : [];
            const f = frame && frame.getBoundingClientRect();
            return nodes.length > 0 && nodes.every(n => {
                const r = n.getBoundingClientRect();
                return r.left >= f.left && r.top >= f.top
                    && r.right <= f.right && r.bottom <= f.bottom;
            });
        }"""
    )
    view_settled(page)


def view_settled(page: Page) -> None:
    """Wait until the canvas's view stops moving: Auto-layout and a focus animate the
    viewport for 300 ms, and a drag started meanwhile aims where a port was, not where
    it ends up (a port dragged mid-animation misses its target). Settled = the same
    transform on two polls 150 ms apart."""
    page.wait_for_function(
        """() => {
            const view = document.querySelector('.jp-GalileanFlow .react-flow__viewport');
            const now = view ? view.style.transform : null;
            const settled = now !== null && window.__galileanLastView === now;
            window.__galileanLastView = now;
            return settled;
        }""",
        polling=150,
    )
