from typing import Any, cast

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.functional import cached_property


class LinkedPage(Page[Any]):
    """A page that knows the addresses of its neighbours (set by page_of)."""

    previous_url: str = ""
    next_url: str = ""


class LinkedPaginator(Paginator[Any]):
    def _get_page(self, *args: Any, **kwargs: Any) -> LinkedPage:
        return LinkedPage(*args, **kwargs)


class CappedPaginator(LinkedPaginator):
    """A paginator over a queryset that counts no further than `count_limit`
    results.

    An exact count reads every match, so its cost grows with the data (a word
    found in 5% of 100,000 accounts), while nobody pages that far: past the
    limit the page says there are more and asks for a narrower search.
    """

    object_list: QuerySet[Any]

    def __init__(self, object_list: QuerySet[Any], per_page: int, *, count_limit: int, **kwargs: Any) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.count_limit = count_limit

    @cached_property
    def _counted(self) -> int:
        # Without ordering or annotations: the database may then stop at the
        # limit by the cheapest path instead of following the display order.
        return self.object_list.order_by().values("pk")[: self.count_limit + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.count_limit)

    @property
    def is_capped(self) -> bool:
        return self._counted > self.count_limit


def page_of(
    request: HttpRequest,
    results: QuerySet[Any],
    *,
    param: str = "page",
    per_page: int = 20,
    count_limit: int | None = None,
) -> LinkedPage:
    """One page of `results`, chosen by the query parameter `param`, with the
    addresses of its neighbours (the rest of the query string kept). With
    `count_limit`, only that many results are counted and paged through."""
    paginator: LinkedPaginator
    if count_limit is None:
        paginator = LinkedPaginator(results, per_page)
    else:
        paginator = CappedPaginator(results, per_page, count_limit=count_limit)
    page = cast(LinkedPage, paginator.get_page(request.GET.get(param)))

    def address(number: int) -> str:
        query = request.GET.copy()
        query[param] = str(number)
        return f"?{query.urlencode()}"

    page.previous_url = address(page.previous_page_number()) if page.has_previous() else ""
    page.next_url = address(page.next_page_number()) if page.has_next() else ""
    return page
