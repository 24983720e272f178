"""Chromium in the real JupyterLab (issue 17): notebook-aware help through jupyter-ai's own
agent (Jupyternaut and its notebook tools) behind the hub's AI gateway, and inline code
completion (ghost text, Tab accepts) served by the gateway. "Fix this cell":
the model is sent the failing cell's traceback, and its fix lands in the notebook.

The model is the fake model server (tests/fake_openai.py) playing an agent: each request's
answer is the next step a real model takes (find the active notebook, read its cells, edit
the failing one, say what it did), made from what the tools returned, so the cell's id and
the traceback must really reach it. Then the user's budget for the day is spent: the next
question gets the gateway's own words in the chat, not an exception. Screenshots in the
test output folder."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fake_openai import Script
from lab import cells, lab_user, log_in, open_in_lab, run_cell, save_notebook, write_notebook
from playwright.sync_api import Page, expect

from galilean_server.deferred_extensions import AI_CHAT
from galilean_services.ai_service.usage import UsageStore
from harness.hub import Hub
from harness.processes import wait_until

USER = "aihelper"
NOTEBOOK = "fix_me.ipynb"
BROKEN = "numbers = [3, 4, 5]\nprint('mean', sum(numbers) / len(numbrs))"
TRACEBACK = "NameError: name 'numbrs' is not defined"


def call(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return {
        "tool_calls": [
            {
                "id": f"call_{name}",
                "type": "function",
                "function": {"name": name, "arguments": json.dumps(arguments)},
            }
        ]
    }


def fixing_agent(body: dict[str, Any]) -> dict[str, Any]:
    """One step of a model fixing the failing cell, from the conversation so far."""
    messages = body.get("messages", [])
    last = messages[-1]
    if last.get("role") != "tool":
        return call("get_active_notebook", {})
    asked = next(
        m["tool_calls"][0]["function"]["name"]
        for m in reversed(messages)
        if m.get("role") == "assistant" and m.get("tool_calls")
    )
    seen = str(last.get("content"))
    if asked == "get_active_notebook":
        return call("read_notebook_cells", {"notebook_path": seen.strip().strip("'\"")})
    if asked == "read_notebook_cells":
        if TRACEBACK not in seen:
            return {"content": "I could not find an error in your notebook."}
        found = re.search(r"'cell_id': '([^']+)'", seen) or re.search(r'"cell_id": "([^"]+)"', seen)
        path = json.loads(
            next(
                m["tool_calls"][0]["function"]["arguments"]
                for m in reversed(messages)
                if m.get("role") == "assistant" and m.get("tool_calls")
            )
        )["notebook_path"]
        fixed = BROKEN.replace("numbrs", "numbers")
        return call(
            "edit_cell",
            {"file_path": path, "cell_id": found.group(1) if found else "0", "content": fixed},
        )
    return {"content": "Fixed the NameError: `numbrs` was a typo for `numbers`."}


@contextmanager
def playing(model_server: tuple[str, Script], reply: Any) -> Iterator[Script]:
    """The shared model server answering with `reply` for one test (then echoing again,
    the test's requests forgotten)."""
    _, script = model_server
    script.reply = reply
    first = len(script.requests)
    try:
        yield script
    finally:
        script.reply = None
        del script.requests[first:]


@pytest.fixture
def agent(model_server: tuple[str, Script]) -> Iterator[Script]:
    with playing(model_server, fixing_agent) as script:
        yield script


def test_fix_this_cell(page: Page, lab_hub: Hub, agent: Script, output_dir: Path) -> None:
    home = lab_user(lab_hub, USER)
    path = write_notebook(home, NOTEBOOK, [BROKEN])
    (home / "help.chat").write_text("")
    log_in(page, lab_hub, USER)
    open_in_lab(page, lab_hub, USER, NOTEBOOK)
    # The chat's connection status: a green dot and the model the chat starts with.
    status = page.locator(".galilean-AiStatus")
    expect(status).to_have_attribute("data-state", "ready", timeout=30_000)
    expect(status).to_have_text("AI: echo")
    expect(status).to_have_attribute("title", re.compile(r"^AI chat ready: echo\nToday: "))
    # A click on it opens the chat's side panel, and the server loads the chat's engine
    # then (deferred_extensions.py: not before, for a user who never chats).
    engine_loaded = "loaded after start: " + ", ".join(AI_CHAT.names)
    loads = lab_hub.log().count(engine_loaded)
    status.click()
    expect(page.locator("[id='JupyterlabChat:sidepanel']")).to_be_visible()
    wait_until(lambda: lab_hub.log().count(engine_loaded) > loads, 120, "the AI chat's engine")
    cell = cells(page).first
    run_cell(page, cell)
    expect(cell.locator(".jp-OutputArea")).to_contain_text("NameError", timeout=60_000)
    save_notebook(page, path)

    # The chat beside the notebook: the user asks, as they would a colleague.
    listing = page.locator(".jp-DirListing-content")
    if not listing.is_visible():
        page.locator(".jp-SideBar .lm-TabBar-tab[data-id='filebrowser']").click()
    listing.locator(".jp-DirListing-item", has_text="help.chat").dblclick()
    box = page.locator(
        ".jp-chat-input-container textarea, .jp-chat-input-container [contenteditable]"
    ).first
    expect(box).to_be_visible(timeout=60_000)
    expect(page.locator(".jp-chat-input-container").get_by_text("Jupyternaut")).to_be_visible(
        timeout=60_000
    )
    box.fill("Please fix the error in my notebook")
    box.press("Enter")
    answer = page.locator(".jp-chat-message").filter(has_text="Fixed the NameError")
    expect(answer).to_be_visible(timeout=90_000)
    page.screenshot(path=str(output_dir / "ai-01-fixed-in-chat.png"))

    # The traceback reached the model, through the gateway, as the tool's result.
    sent = [json.dumps(r["body"]) for r in agent.requests]
    assert any(TRACEBACK in body for body in sent), sent[-1][:2000]
    # The fix is in the notebook: run it again and see the mean.
    page.locator(".lm-TabBar-tab", has_text=NOTEBOOK).click()
    expect(cell.locator(".cm-content")).to_contain_text("len(numbers)", timeout=30_000)
    run_cell(page, cell)
    expect(cell.locator(".jp-OutputArea")).to_contain_text("mean 4.0", timeout=60_000)
    page.screenshot(path=str(output_dir / "ai-02-fixed-cell.png"))

    # Today's budget spent (the gateway's default: 200000 tokens a day): the next question
    # is refused by the gateway, and the chat says so in its words.
    usage = UsageStore(f"sqlite:///{lab_hub.data_dir / 'ai.sqlite'}")
    try:
        usage.add(USER, "echo", 200_000, 0)
    finally:
        usage.close()
    asked = len(agent.requests)
    page.locator(".lm-TabBar-tab", has_text="help.chat").click()
    box.fill("And now plot it")
    box.press("Enter")
    refusal = page.locator(".jp-chat-message").filter(has_text="Galilean's AI gateway")
    expect(refusal).to_contain_text("you used your 200000 AI tokens for today", timeout=90_000)
    expect(refusal).to_contain_text("midnight UTC")
    expect(refusal).not_to_contain_text("litellm")
    assert len(agent.requests) == asked  # the model was never asked
    page.screenshot(path=str(output_dir / "ai-03-budget.png"))


COMPLETION = "sum(values) / len(values)"


def completing_model(body: dict[str, Any]) -> dict[str, Any]:
    """A model asked to complete code (ai_complete.SYSTEM) answers as chat models do:
    fenced, repeating the line already typed."""
    system = body["messages"][0]["content"]
    if "You complete code" not in system:
        return {"content": "not a completion request"}
    return {"content": f"```python\nmean = {COMPLETION}\n```"}


@pytest.fixture
def completer(model_server: tuple[str, Script]) -> Iterator[Script]:
    with playing(model_server, completing_model) as script:
        yield script


COMPLETER = "aicompleter"  # a user of its own: no tabs restored from the test above


def test_inline_completion(page: Page, lab_hub: Hub, completer: Script, output_dir: Path) -> None:
    home = lab_user(lab_hub, COMPLETER)
    write_notebook(home, "complete_me.ipynb", ["values = [2, 4, 6]\n"])
    log_in(page, lab_hub, COMPLETER)
    open_in_lab(page, lab_hub, COMPLETER, "complete_me.ipynb")
    cell = cells(page).first
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.type("mean = ")
    ghost = cell.locator(".jp-GhostText")
    expect(ghost).to_have_text(COMPLETION, timeout=30_000)
    page.screenshot(path=str(output_dir / "ai-04-ghost-text.png"))
    page.keyboard.press("Tab")
    expect(cell.locator(".cm-content")).to_contain_text(f"mean = {COMPLETION}")
    expect(ghost).to_have_count(0)
    # What the model was sent: the code around the cursor, through the gateway, as a
    # request the gateway counted (the admin's key never reached the page).
    asked = [r for r in completer.requests if "You complete code" in json.dumps(r["body"])]
    assert asked
    assert "values = [2, 4, 6]\nmean = <CURSOR>" in asked[-1]["body"]["messages"][1]["content"]
    run_cell(page, cell)
    page.keyboard.type("print(mean)")
    page.keyboard.press("Shift+Enter")
    expect(cells(page).nth(1).locator(".jp-OutputArea")).to_contain_text("4.0", timeout=60_000)
    page.screenshot(path=str(output_dir / "ai-05-completed.png"))
