"""Collection pages. Each view: find the collection the requester may see or change
(others' private ones are 404s, as if absent) → validate → call services → render or
redirect with a message. Every change is a POST behind CSRF and goes through
services, which refuse suspended people (accounts.rules.participation_error)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from dailypapers.accounts.rules import has_staff_powers
from dailypapers.collections import services
from dailypapers.collections.feeds import FEED_ITEMS, collection_feed
from dailypapers.collections.forms import AddPaperForm, CollectionForm
from dailypapers.core.redirects import safe_next
from dailypapers.feeds.feeds import FeedContent, absolute, content_type_for
from dailypapers.lib.arxiv_ids import is_arxiv_id

PAGE_SIZE = 50


def _back(request, fallback):
    """Where a form asked to return to (`next`, same site only), else `fallback`."""
    return redirect(safe_next(request, fallback, referer=False))


def _form_error(form):
    errors = [e for field_errors in form.errors.values() for e in field_errors]
    return errors[0] if errors else "Please check the form."


@require_safe
def index(request):
    context = {"recent": services.recent_public(), "nav": "collections"}
    if request.user.is_authenticated:
        context["mine"] = services.own_collections(request.user)
        context["form"] = CollectionForm()
    return render(request, "collections/index.html", context)


@require_POST
@login_required
def create(request):
    form = CollectionForm(request.POST)
    if form.is_valid():
        try:
            collection = services.create_collection(request.user, **form.cleaned_data)
        except services.Refused as exc:
            messages.error(request, str(exc))
            return redirect("collections:index")
        messages.success(request, f"Collection “{collection.name}” created.")
        return redirect(collection)
    context = {
        "recent": services.recent_public(),
        "mine": services.own_collections(request.user),
        "form": form,
    }
    return render(request, "collections/index.html", context, status=400)


@require_POST
@login_required
def add(request):
    form = AddPaperForm(request.POST)
    arxiv_id = request.POST.get("arxiv_id", "")
    fallback = (
        reverse("papers:paper", kwargs={"arxiv_id": arxiv_id})
        if is_arxiv_id(arxiv_id)
        else reverse("collections:index")
    )
    if not form.is_valid():
        messages.error(request, _form_error(form))
        return _back(request, fallback)
    data = form.cleaned_data
    collection = None
    # A typed name wins over the list's selection (which always has a value once the
    # person has a collection): typing a name means "a new collection".
    if data["collection"] and not data["new_name"].strip():
        # Only the requester's own collections can be added to: anyone else's is absent.
        collection = services.owned_by_id(request.user, data["collection"])
        if collection is None:
            raise Http404("no such collection")
    try:
        item = services.add_paper(
            request.user,
            data["arxiv_id"],
            collection=collection,
            new_name=data["new_name"],
            note=data["note"],
        )
    except services.Refused as exc:
        messages.error(request, str(exc))
        return _back(request, fallback)
    messages.success(request, f"Added to “{item.collection.name}”.")
    return _back(request, fallback)


@require_safe
def detail(request, username, slug):
    collection = services.viewable(request.user, username, slug)
    if collection is None:
        raise Http404("no such collection")
    items = services.items_for(collection, include_hidden=has_staff_powers(request.user))
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "collection": collection,
        "page": page,
        "is_owner": request.user.is_authenticated and request.user.pk == collection.owner_id,
    }
    return render(request, "collections/detail.html", context)


@require_safe
def rss(request, username, slug):
    collection = services.viewable(request.user, username, slug)
    # A feed is for everyone: only public collections have one, whoever asks.
    if collection is None or not collection.public:
        raise Http404("no such feed")
    # Feed readers are anonymous: hidden papers are left out whoever asks.
    items = list(services.items_for(collection, include_hidden=False)[:FEED_ITEMS])
    description = (
        collection.description or f"Papers collected by {collection.owner.username} on dailypapers."
    )
    content = FeedContent(
        title=f"{collection.name} · {collection.owner.username} · dailypapers",
        description=description,
        link=absolute(collection.get_absolute_url()),
        url=absolute(request.path),
        entries=items,
    )
    feed = collection_feed.get_feed(content, request)
    response = HttpResponse(content_type=content_type_for(request, feed.content_type))
    patch_vary_headers(response, ["Accept"])
    feed.write(response, "utf-8")
    return response


def _owned_or_404(request, username, slug):
    collection = services.owned(request.user, username, slug)
    if collection is None:
        raise Http404("no such collection")
    return collection


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def edit(request, username, slug):
    collection = _owned_or_404(request, username, slug)
    if request.method == "POST":
        form = CollectionForm(request.POST)
        if form.is_valid():
            try:
                services.update_collection(request.user, collection, **form.cleaned_data)
            except services.Refused as exc:
                messages.error(request, str(exc))
                return redirect(collection)
            messages.success(request, "Collection saved.")
            return redirect(collection)
        return render(
            request, "collections/edit.html", {"collection": collection, "form": form}, status=400
        )
    form = CollectionForm(
        initial={
            "name": collection.name,
            "description": collection.description,
            "public": collection.public,
        }
    )
    return render(request, "collections/edit.html", {"collection": collection, "form": form})


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def delete(request, username, slug):
    collection = _owned_or_404(request, username, slug)
    if request.method == "POST":
        try:
            services.delete_collection(request.user, collection)
        except services.Refused as exc:
            messages.error(request, str(exc))
            return redirect(collection)
        messages.success(request, f"Collection “{collection.name}” deleted.")
        return redirect("collections:index")
    return render(request, "collections/delete.html", {"collection": collection})


@require_POST
@login_required
def remove(request, username, slug):
    collection = _owned_or_404(request, username, slug)
    arxiv_id = request.POST.get("arxiv_id", "")
    try:
        removed = services.remove_paper(request.user, collection, arxiv_id)
    except services.Refused as exc:
        messages.error(request, str(exc))
        return _back(request, collection.get_absolute_url())
    if removed:
        messages.success(request, f"Removed from “{collection.name}”.")
    else:
        messages.error(request, "That paper was not in the collection.")
    return _back(request, collection.get_absolute_url())
