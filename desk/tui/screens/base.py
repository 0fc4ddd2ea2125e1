"""What every desk screen shares: typed access to the app, and one way to read and show.

The read pattern: a screen reads in a worker and *returns* what it read; the worker posts it,
as a `Read` message, to the widget it will be shown in, and the screen applies it when the
message arrives. When that widget is gone by then (the app closing removes a screen's widgets
before it cancels the screen's workers; a modal was dismissed), Textual refuses the message,
so a late result is dropped by Textual itself: no screen checks for its own widgets.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from textual.geometry import Size
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.worker import Worker

if TYPE_CHECKING:
    from desk.register import Register
    from desk.tui.app import DeskApp
    from desk.tui.throttle import Throttle

T = TypeVar("T")
R = TypeVar("R")


class Read(Message):
    """A worker's result on its way to the screen: `show(result)` runs when it arrives."""

    def __init__(
        self,
        show: Callable[[Any], Awaitable[None] | None],
        result: object,
        then: Callable[[], None] | None = None,
    ) -> None:
        super().__init__()
        self.show = show
        self.result = result
        #: runs once the screen was drawn with what `show` did (Reading.deliver_in_turn)
        self.then = then


class DeskAccess:
    """The desk app as its screens see it (typed: no `type: ignore` to reach the register)."""

    app: Any

    @property
    def desk_app(self) -> DeskApp:
        return cast("DeskApp", self.app)

    @property
    def register(self) -> Register:
        """The app's open register (it opens before the first screen mounts)."""
        register = self.desk_app.register
        assert register is not None, "the register opens in the app's on_load, before any screen"
        return register


class Reading:
    """The read pattern (see the module's docstring), shared by screens and modals."""

    #: results posted and not applied yet (the screen is not settled while there are some)
    _in_flight = 0
    #: the screen's throttled reads, when it throttles them (desk.tui.throttle): a read
    #: scheduled there is pending too
    reads: Throttle | None = None

    def read(
        self,
        fetch: Callable[[], Awaitable[T]],
        show: Callable[[T], Awaitable[None] | None],
        *,
        into: Widget | str,
        group: str,
        exclusive: bool = True,
    ) -> Worker[None]:
        """Run `fetch()` in a worker; `show(result)` then runs on the loop, delivered as a
        message to the widget `into` (a widget, or a selector on this screen): dropped when that
        widget is gone. Exclusive in `group` by default: a newer read replaces an older one."""
        node = cast(Screen[Any], self)
        target = node.query_one(into) if isinstance(into, str) else into

        async def run() -> None:
            self.deliver(target, show, await fetch())

        # the function, not a coroutine: Textual calls it when the worker starts, so a newer read
        # that replaces this one before it started leaves no coroutine unawaited behind
        return node.run_worker(run, group=group, exclusive=exclusive)

    def deliver(
        self,
        target: Widget,
        show: Callable[[T], Awaitable[None] | None],
        result: T,
        *,
        then: Callable[[], None] | None = None,
    ) -> bool:
        """Have `show(result)` run on the loop, unless `target` is gone by then (Textual refuses
        a message to a removed widget: the result is dropped with it); `then()` runs after the
        screen was drawn with it. Whether it was posted."""
        posted = target.post_message(Read(show, result, then))
        if posted:
            self._in_flight += 1
        return posted

    def deliver_in_turn(self, parts: list[tuple[Widget, Callable[[T], Awaitable[None] | None]]], result: T) -> None:
        """`deliver(target, show, result)` for each of `parts`, in turn, one frame each: a part
        is posted once the screen was drawn with the one before. Painting one panel's news
        takes a frame a few milliseconds; a whole dashboard's in one frame made it the longest
        frame of a busy sync. The parts not posted yet count as in flight."""
        waiting = list(parts)
        self._in_flight += len(waiting)

        def post_next() -> None:
            while waiting:
                target, show = waiting.pop(0)
                self._in_flight -= 1
                if self.deliver(target, show, result, then=post_next if waiting else None):
                    return  # the rest follow once the screen was drawn with this one

        post_next()

    @property
    def refresh_pending(self) -> bool:
        """Whether a read is scheduled, running or on its way to the screen (tests and the
        screenshot script wait for none). A throttled read not yet due counted as none, so a
        test that wrote to the register looked at the valuation screen before it read again."""
        return self._in_flight > 0 or (self.reads is not None and self.reads.pending)

    async def on_read(self, message: Read) -> None:
        message.stop()
        self._in_flight = max(0, self._in_flight - 1)
        shown = message.show(message.result)
        if shown is not None:
            await shown
        if message.then is not None:
            self.call_after_refresh(message.then)


class DeskScreen(DeskAccess, Reading, Screen[None]):
    """A full screen of the desk."""

    def _screen_resized(self, size: Size) -> None:
        """Textual's, but not at the size the screen is already laid out at: a screen's first
        layout sends the screen a Resize to that same size, and Textual laid the whole screen
        out again for it (10-15 ms of the register screen's first paint, for nothing). A real
        resize comes with another size, and any other change asks for its own layout."""
        if size == self.size and size == self._size:
            return
        super()._screen_resized(size)


class DeskModal(DeskAccess, Reading, ModalScreen[R], Generic[R]):
    """A modal of the desk (forms, dialogs, detail)."""
