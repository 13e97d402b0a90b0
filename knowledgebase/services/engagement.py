"""Readers' feedback votes and view counting."""

from __future__ import annotations

import hashlib
import time
import uuid

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from knowledgebase.models import Article, ArticleFeedback
from panel1.accounts.models import User
from panel1.exceptions import DomainError

# --- feedback -----------------------------------------------------------------------------


MAX_FEEDBACK_COMMENT = 2000


@transaction.atomic
def kb_article_feedback_submit(
    *,
    article: Article,
    helpful: bool,
    user: User | None = None,
    session_key: str = "",
    comment: str | None = None,
) -> ArticleFeedback:
    """Record whether the article helped: one vote per user, or per session when anonymous.

    Voting again replaces the earlier vote and moves the count. The caller has checked that
    the voter may read the article. The article row is locked so the vote and both counters
    change together, whatever arrives concurrently. `comment` (what was missing) goes with a
    "No"; None keeps the one given earlier, and a "Yes" clears it.
    """
    comment = _clean_comment(comment, helpful=bool(helpful))
    if user is not None and not user.is_authenticated:
        user = None
    if user is None and not session_key:
        raise DomainError(_("A session is needed to vote anonymously."))
    helpful = bool(helpful)
    Article.objects.select_for_update().filter(pk=article.pk).values_list("pk").get()
    voter = {"user": user} if user is not None else {"user": None, "session_key": session_key}
    vote = ArticleFeedback.objects.filter(article=article, **voter).first()
    if vote is not None and vote.helpful == helpful:
        if comment is not None and comment != vote.comment:
            vote.comment = comment
            vote.save(update_fields=["comment", "updated_at"])
        return vote
    counts = {}
    if vote is None:
        vote = ArticleFeedback.objects.create(
            article=article, helpful=helpful, comment=comment or "", **voter
        )
    else:
        vote.helpful = helpful
        vote.comment = comment if comment is not None else ("" if helpful else vote.comment)
        vote.save(update_fields=["helpful", "comment", "updated_at"])
        moved_from = "not_helpful_count" if helpful else "helpful_count"
        counts[moved_from] = F(moved_from) - 1
    counted = "helpful_count" if helpful else "not_helpful_count"
    counts[counted] = F(counted) + 1
    Article.objects.filter(pk=article.pk).update(**counts)
    return vote


def _clean_comment(comment: str | None, *, helpful: bool) -> str | None:
    if helpful:
        return ""  # a comment explains a "No"
    if comment is None:
        return None
    comment = comment.strip()
    if len(comment) > MAX_FEEDBACK_COMMENT:
        raise DomainError(
            {
                "comment": [
                    _("Keep it under %(max_feedback_comment)s characters, please.")
                    % {"max_feedback_comment": MAX_FEEDBACK_COMMENT}
                ]
            }
        )
    return comment


# --- views --------------------------------------------------------------------------------
# A view is a cache write, never a database write: counters per article and five-minute
# bucket, plus a list of the articles counted in the bucket. A scheduled job adds closed
# buckets to `view_count` in one statement. Only `add` (atomic on every cache backend) decides
# who registers an article and who flushes a bucket, so nothing is counted twice.

VIEW_BUCKET_SECONDS = 300
VIEW_DEDUPE_SECONDS = 30 * 60
VIEW_KEY_TTL = 6 * 3600
FLUSH_LOOKBACK_BUCKETS = 48  # four hours: buckets older than that have expired anyway


def _bucket(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // VIEW_BUCKET_SECONDS)


def _key(bucket: int, suffix: str) -> str:
    return f"kb:views:{bucket}:{suffix}"


def kb_article_view_record(*, article: Article, viewer: str = "", now: float | None = None) -> bool:
    """Count a view of `article`, at most once per viewer (user id or session key) every
    30 minutes. Answer whether it counted. Writes the cache only."""
    if viewer:
        digest = hashlib.blake2b(viewer.encode(), digest_size=12).hexdigest()
        if not cache.add(f"kb:viewed:{article.pk}:{digest}", 1, VIEW_DEDUPE_SECONDS):
            return False
    bucket = _bucket(now)
    counter = _key(bucket, f"c:{article.pk}")
    if cache.add(counter, 1, VIEW_KEY_TTL):
        _register(bucket, str(article.pk))
        return True
    try:
        cache.incr(counter)
    except ValueError:  # expired between add and incr: count it as a new entry
        if cache.add(counter, 1, VIEW_KEY_TTL):
            _register(bucket, str(article.pk))
    return True


def _register(bucket: int, article_id: str) -> None:
    length = _key(bucket, "n")
    cache.add(length, 0, VIEW_KEY_TTL)
    # incr is atomic on Redis and locmem but not on the database cache; `add` on the slot
    # catches a duplicate number, and the next number is tried.
    for _unused in range(10):
        slot = cache.incr(length)
        if cache.add(_key(bucket, f"s:{slot}"), article_id, VIEW_KEY_TTL):
            return


def kb_article_views_flush(*, now: float | None = None) -> int:
    """Add the buffered views of closed buckets to the articles; answer how many views.

    The current and the previous bucket stay open (a web process may still be writing to the
    previous one). Each bucket is claimed once, so a rerun or a second worker adds nothing.
    """
    current = _bucket(now)
    total = 0
    for bucket in range(current - FLUSH_LOOKBACK_BUCKETS, current - 1):
        length = cache.get(_key(bucket, "n"))
        if not length or not cache.add(_key(bucket, "flushed"), 1, VIEW_KEY_TTL):
            continue
        slot_keys = [_key(bucket, f"s:{n}") for n in range(1, length + 1)]
        article_ids = sorted(set(cache.get_many(slot_keys).values()))
        counter_keys = {_key(bucket, f"c:{pk}"): pk for pk in article_ids}
        counts = {counter_keys[k]: int(v) for k, v in cache.get_many(list(counter_keys)).items()}
        total += kb_article_views_add(counts=counts)
        cache.delete_many([*slot_keys, *counter_keys, _key(bucket, "n")])
    return total


def kb_article_views_add(*, counts: dict[str, int]) -> int:
    """Add view counts ({article id: views}) in one statement per 1,000 articles."""
    rows = [(uuid.UUID(pk), n) for pk, n in sorted(counts.items()) if n > 0]
    if not rows:
        return 0
    table = connection.ops.quote_name(Article._meta.db_table)
    # One statement per chunk, rows in primary key order: concurrent flushes and edits lock
    # article rows in the same order, so they cannot deadlock.
    for start in range(0, len(rows), 1000):
        chunk = rows[start : start + 1000]
        values = ", ".join(["(%s::uuid, %s::bigint)"] * len(chunk))
        params = [value for row in chunk for value in row]
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS a SET view_count = a.view_count + v.n "
                f"FROM (VALUES {values}) AS v(id, n) WHERE a.id = v.id",
                params,
            )
    return sum(n for _unused, n in rows)
