from django.core.paginator import Paginator


def page_of(request, results, *, param="page", per_page=20):
    """One page of `results`, chosen by the query parameter `param`, with the
    addresses of its neighbours (the rest of the query string kept)."""
    page = Paginator(results, per_page).get_page(request.GET.get(param))

    def address(number):
        query = request.GET.copy()
        query[param] = number
        return f"?{query.urlencode()}"

    page.previous_url = address(page.previous_page_number()) if page.has_previous() else ""
    page.next_url = address(page.next_page_number()) if page.has_next() else ""
    return page
