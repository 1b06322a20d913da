"""Comment pages and form posts. Each view: find the rows → call a service →
redirect to the comment (or show the refusal with the text kept)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dailypapers.accounts.decorators import staff_powers_required
from dailypapers.accounts.rules import has_staff_powers
from dailypapers.core.ratelimits import limited
from dailypapers.discussion import services
from dailypapers.discussion.forms import CommentForm, ReportForm
from dailypapers.discussion.models import Comment
from dailypapers.discussion.templatetags.discussion import page_number, thread_context
from dailypapers.papers.models import Paper


def _comment_url(comment, viewer=None):
    """Where the comment shows: on its page of the paper's discussion, or, deeper than
    the paper page's levels, on its parent's thread page (services.location)."""
    page, parent_id = services.location(comment, viewer)
    query = f"?page={page}" if page > 1 else ""
    if parent_id is not None:
        return f"{reverse('discussion:thread', args=[parent_id])}{query}#c{comment.pk}"
    return f"{comment.paper.get_absolute_url()}{query}#c{comment.pk}"


def _refused(request, exc, template, **context):
    """A refused post or edit, on its form with the text kept (other refusals answer
    through accounts/middleware.py)."""
    return render(request, template, {"message": exc.message, **context}, status=exc.status)


def _visible_comment(request, pk):
    """The comment, a 404 for those who may not see it (hidden, or on a hidden paper)."""
    comment = get_object_or_404(Comment.objects.select_related("paper", "user"), pk=pk)
    if comment.paper.hidden or not comment.visible_to(request.user):
        raise Http404("no such comment")
    return comment


def thread(request, pk):
    """A comment's own page: the comment and its replies, as deep and as paged as the
    paper page's discussion; where "Continue this thread" leads. A comment deleted or
    hidden from this viewer shows as its placeholder, over the replies they can see."""
    comment = get_object_or_404(Comment.objects.select_related("paper", "user"), pk=pk)
    if comment.paper.hidden and not has_staff_powers(request.user):
        raise Http404("no such comment")
    page = services.thread(comment.paper, request.user, parent=comment, page=page_number(request))
    context = thread_context(request, request.user, comment.paper, page)
    context["nodes"] = [page.anchor, *context["nodes"]]
    context["comment"] = comment
    return render(request, "discussion/comment_thread.html", context)


@login_required
@require_POST
@limited("comment")
def post(request, arxiv_id):
    paper = get_object_or_404(Paper.objects.visible(), arxiv_id=arxiv_id)
    form = CommentForm(request.POST)
    form.is_valid()
    body = form.cleaned_data.get("body", "")
    parent = None
    parent_id = form.cleaned_data.get("parent")
    if parent_id:
        parent = get_object_or_404(
            Comment.objects.select_related("user"), pk=parent_id, paper=paper
        )
    try:
        comment = services.post_comment(request.user, paper, body, parent=parent)
    except services.Refused as exc:
        # Shown with the text kept, so nothing typed is lost.
        context = {"form": form, "paper": paper, "parent": parent, "action": "post"}
        return _refused(request, exc, "discussion/comment_form.html", **context)
    messages.success(request, "Your comment is posted.")
    return redirect(_comment_url(comment, request.user))


@login_required
@limited("comment")
def edit(request, pk):
    comment = _visible_comment(request, pk)
    if request.method == "POST":
        form = CommentForm(request.POST)
        form.is_valid()
        try:
            services.edit_comment(request.user, comment, form.cleaned_data.get("body", ""))
        except services.Refused as exc:
            context = {"form": form, "paper": comment.paper, "comment": comment, "action": "edit"}
            return _refused(request, exc, "discussion/comment_form.html", **context)
        messages.success(request, "Your comment is updated.")
        return redirect(_comment_url(comment, request.user))
    if comment.user_id != request.user.pk or comment.deleted:
        raise services.Forbidden("You can only change your own comments.")
    form = CommentForm(initial={"body": comment.body})
    return render(request, "discussion/comment_form.html",
                  {"form": form, "paper": comment.paper, "comment": comment, "action": "edit"})  # fmt: skip


@login_required
def delete(request, pk):
    comment = _visible_comment(request, pk)
    if request.method == "POST":
        services.delete_comment(request.user, comment)  # refusals: accounts/middleware.py
        messages.success(request, "Your comment is deleted.")
        return redirect(_comment_url(comment, request.user))
    if comment.user_id != request.user.pk or comment.deleted:
        raise services.Forbidden("You can only change your own comments.")
    return render(
        request, "discussion/comment_delete.html", {"comment": comment, "paper": comment.paper}
    )


@login_required
@limited("report")
def report(request, pk):
    comment = _visible_comment(request, pk)
    if request.method == "POST":
        form = ReportForm(request.POST)
        if form.is_valid():
            _, created = services.report_comment(
                request.user, comment, form.cleaned_data["reason"], form.cleaned_data["details"]
            )
            if created:
                messages.success(request, "Thank you: the comment is reported to the moderators.")
            else:
                messages.info(request, "You have already reported this comment.")
            return redirect(_comment_url(comment, request.user))
        status = 400
    else:
        form, status = ReportForm(), 200
    return render(request, "discussion/comment_report.html",
                  {"form": form, "comment": comment, "paper": comment.paper}, status=status)  # fmt: skip


@staff_powers_required
@require_POST
def hide(request, pk):
    comment = get_object_or_404(Comment.objects.select_related("paper"), pk=pk)
    hidden = request.POST.get("action") != "unhide"
    services.hide_comment(request.user, comment, hidden=hidden)
    messages.success(request, "The comment is hidden." if hidden else "The comment is shown again.")
    return redirect(_comment_url(comment, request.user))
