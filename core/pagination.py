from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    """A paginator over a queryset that counts no further than `count_limit`
    results.

    An exact count reads every match, so its cost grows with the data (a word
    found in 5% of 100,000 accounts), while nobody pages that far: past the
    limit the page says there are more and asks for a narrower search.
    """

    def __init__(self, object_list, per_page, *, count_limit, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count_limit = count_limit

    @cached_property
    def _counted(self):
        # Without ordering or annotations: the database may then stop at the
        # limit by the cheapest path instead of following the display order.
        return self.object_list.order_by().values("pk")[: self.count_limit + 1].count()

    @cached_property
    def count(self):
        return min(self._counted, self.count_limit)

    @property
    def is_capped(self):
        return self._counted > self.count_limit


def page_of(request, results, *, param="page", per_page=20, count_limit=None):
    """One page of `results`, chosen by the query parameter `param`, with the
    addresses of its neighbours (the rest of the query string kept). With
    `count_limit`, only that many results are counted and paged through."""
    if count_limit is None:
        paginator = Paginator(results, per_page)
    else:
        paginator = CappedPaginator(results, per_page, count_limit=count_limit)
    page = paginator.get_page(request.GET.get(param))

    def address(number):
        query = request.GET.copy()
        query[param] = number
        return f"?{query.urlencode()}"

    page.previous_url = address(page.previous_page_number()) if page.has_previous() else ""
    page.next_url = address(page.next_page_number()) if page.has_next() else ""
    return page
