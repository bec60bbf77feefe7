"""The fleet browser: listing, filtering, sorting, marks, errors and the messages it posts."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual import events
from textual.widgets import Input

from ssm_tui.app_core.fleet_source import DiscoverySource, Progress, Scope, SnapshotSource
from ssm_tui.aws.nodes import FleetSnapshot
from ssm_tui.emulator import EmulatorServer
from tests.ui.fleet_data import NODES, SNAPSHOT, node
from tests.ui.hosts import BrowserHost, names, settle

SIZE = (160, 30)


def shown(app: BrowserHost) -> list[str]:
    return names(app.browser.table.shown_nodes)


def status(app: BrowserHost) -> str:
    return str(app.browser.query_one("#status").render())


class TestListing:
    async def test_every_node_is_listed_sorted_by_name(self) -> None:
        app = BrowserHost(SnapshotSource(SNAPSHOT))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert shown(app) == sorted(n.name for n in NODES)
            assert "8 nodes" in status(app)

    async def test_a_failing_pair_is_shown_while_the_others_list(self) -> None:
        app = BrowserHost(SnapshotSource(SNAPSHOT))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            errors = str(app.browser.query_one("#errors").render())
            assert (
                "prod/eu-west-1: SSO session expired: run `aws sso login --profile prod`" in errors
            )
            assert len(shown(app)) == len(NODES)

    async def test_progress_shows_pairs_done_while_loading(self) -> None:
        release = asyncio.Event()

        class SlowSource:
            async def load(self, progress: Progress) -> FleetSnapshot:
                progress(1, 3)
                await release.wait()
                return SNAPSHOT

        app = BrowserHost(SlowSource())
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert "listing… 1/3 pairs" in status(app)
            release.set()
            await settle(pilot)
            assert "listing" not in status(app)

    async def test_r_lists_the_source_again(self) -> None:
        source = SnapshotSource(FleetSnapshot(nodes=NODES[:2]))
        app = BrowserHost(source)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            source.snapshot = SNAPSHOT
            await pilot.press("r")
            await settle(pilot)
            assert len(shown(app)) == len(NODES)

    async def test_nodes_come_from_the_emulator_through_discovery(
        self, emulator: EmulatorServer, aws_env: object, tmp_path: Path
    ) -> None:
        aws_env(emulator)  # type: ignore[operator]
        scope = Scope(profiles=("prod", "staging"), regions=("us-east-1", "eu-west-1"))
        app = BrowserHost(DiscoverySource(scope))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            listed = app.browser.table.shown_nodes
            assert {"web-1", "db-primary", "web-eu-1", "web-stg-1"} <= set(names(listed))
            assert {n.profile for n in listed} == {"prod", "staging"}
            assert {n.region for n in listed} == {"us-east-1", "eu-west-1"}


class TestFilter:
    async def type_filter(self, text: str) -> list[str]:
        app = BrowserHost(SnapshotSource(SNAPSHOT))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("slash", *text)
            await pilot.pause()
            return shown(app)

    async def test_text_matches_names_as_you_type(self) -> None:
        assert await self.type_filter("web") == ["web-1", "web-2", "web-stg-1"]

    async def test_tag_key_value(self) -> None:
        assert await self.type_filter("tag:Role=db") == ["db-primary", "db-stg-1"]

    async def test_negation_and_terms_combine(self) -> None:
        assert await self.type_filter("web !staging") == ["web-1", "web-2"]

    async def test_keys_typed_in_one_burst_after_slash_all_reach_the_filter(self) -> None:
        app = BrowserHost(SnapshotSource(SNAPSHOT))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            burst = [("slash", "/"), *((c, c) for c in "db"), ("enter", None), ("r", "r")]
            for key, character in burst:  # no pause between keys, as a fast typist sends them
                app.post_message(events.Key(key, character))
            await pilot.pause(0.2)
            assert app.browser.query_one("#filter", Input).value == "db"
            assert shown(app) == ["db-primary", "db-stg-1"]
            assert app.focused is app.browser.table

    async def test_keys_typed_ahead_are_kept_when_the_filter_gets_focus(self) -> None:
        app = BrowserHost(SnapshotSource(SNAPSHOT))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            for key, character in [("slash", "/"), *((c, c) for c in "tag")]:
                app.post_message(events.Key(key, character))
            await pilot.pause()  # the filter gets focus after the keys typed ahead
            await pilot.press(*":Role=db")
            assert app.browser.query_one("#filter", Input).value == "tag:Role=db"

    async def test_a_filter_key_moved_by_the_keymap_takes_keys_typed_ahead(self) -> None:
        app = BrowserHost(SnapshotSource(SNAPSHOT))
        app.set_keymap({"ssm-tui.filter": "ctrl+f"})
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            for key, character in [("ctrl+f", None), *((c, c) for c in "db"), ("enter", None)]:
                app.post_message(events.Key(key, character))
            await pilot.pause(0.2)
            assert app.browser.query_one("#filter", Input).value == "db"
            assert shown(app) == ["db-primary", "db-stg-1"]

    async def test_slash_again_replaces_the_kept_filter(self) -> None:
        app = BrowserHost(SnapshotSource(SNAPSHOT))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("slash", *"db", "enter", "slash", *"web", "enter")
            assert app.browser.query_one("#filter", Input).value == "web"
            assert app.focused is app.browser.table

    async def test_escape_clears_the_filter_and_returns_to_the_table(self) -> None:
        app = BrowserHost(SnapshotSource(SNAPSHOT))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("slash", *"db", "escape")
            assert len(shown(app)) == len(NODES)
            assert app.focused is app.browser.table
            assert not app.browser.query_one("#filter").display

    async def test_enter_keeps_the_filter_and_returns_to_the_table(self) -> None:
        app = BrowserHost(SnapshotSource(SNAPSHOT))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("slash", *"db", "enter")
            assert shown(app) == ["db-primary", "db-stg-1"]
            assert app.focused is app.browser.table
            assert "2 shown" in status(app)


class TestSort:
    async def test_s_sorts_by_the_next_column_and_S_reverses(self) -> None:
        app = BrowserHost(SnapshotSource(SNAPSHOT))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("s")  # name -> instance id
            assert [n.instance_id for n in app.browser.table.shown_nodes] == sorted(
                n.instance_id for n in NODES
            )
            await pilot.press("S")
            assert [n.instance_id for n in app.browser.table.shown_nodes] == sorted(
                (n.instance_id for n in NODES), reverse=True
            )

    async def test_clicking_a_header_sorts_by_it_and_again_reverses(self) -> None:
        app = BrowserHost(SnapshotSource(SNAPSHOT))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            table = app.browser.table
            ping_x = 2 + sum(w + 2 for w in table._widths[:5]) + 1
            await pilot.click(table, offset=(ping_x, 0))
            assert table.sort_column == "ping"
            assert names(table.shown_nodes)[-2:] == ["worker-3", "api-ap-1"]
            await pilot.click(table, offset=(ping_x, 0))
            assert names(table.shown_nodes)[0] == "api-ap-1"

    async def test_the_highlighted_node_stays_highlighted_across_a_sort(self) -> None:
        app = BrowserHost(SnapshotSource(SNAPSHOT))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("down", "down")
            before = app.browser.table.highlighted_node
            await pilot.press("S")
            assert app.browser.table.highlighted_node == before


class TestActions:
    async def test_enter_asks_for_a_shell_on_the_highlighted_node(self) -> None:
        app = BrowserHost(SnapshotSource(SNAPSHOT))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("down", "enter")
            await pilot.pause()
            assert app.shells == [node("api-ap-1")]

    async def test_marked_nodes_open_one_shell_each(self) -> None:
        app = BrowserHost(SnapshotSource(SNAPSHOT))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("space", "down", "down", "space")
            assert app.browser.table.mark_count == 2
            assert "2 marked" in status(app)
            await pilot.press("o")
            await pilot.pause()
            assert names(app.shells) == ["api-1", "db-primary"]
            assert app.browser.table.mark_count == 0

    async def test_space_again_unmarks(self) -> None:
        app = BrowserHost(SnapshotSource(SNAPSHOT))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("space", "up", "space")
            assert app.browser.table.mark_count == 0

    async def test_f_asks_for_a_forward_through_the_highlighted_node(self) -> None:
        app = BrowserHost(SnapshotSource(SNAPSHOT))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("f")
            await pilot.pause()
            assert app.forwards == [node("api-1")]

    async def test_c_copies_the_instance_id(self) -> None:
        app = BrowserHost(SnapshotSource(SNAPSHOT))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("c")
            assert app.clipboard == node("api-1").instance_id
