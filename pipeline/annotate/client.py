"""Talking to a Label Studio server through label-studio-sdk, without losing or doubling work.

The server never deduplicates imports, so the project itself is the ledger of what was pushed.
Reading all its keys back costs seconds for 10,000 tasks, so the caller keeps a local
checkpoint of the keys and the project's task count is compared with it (one cheap request):
equal counts mean the checkpoint is current; any difference (a crash between an import and the
checkpoint, tasks deleted by hand) means the keys are read back from the server. A batch whose
import fails in transit (a 5xx after the server committed it, a timeout) is retried only after
the keys are read again, so a committed batch is never sent twice. Errors
that retrying cannot fix (a wrong token, a missing project) stop at once with the URL and the
cause; the token never appears in a message.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

TRANSIENT_STATUS = {500, 502, 503, 504}


class AnnotationServiceError(RuntimeError):
    """Label Studio cannot do what was asked; the message says where and why."""


@dataclass
class LabelStudioClient:
    url: str
    sdk: Any
    retries: int = 3
    backoff_seconds: float = 1.0

    def project_id(self, title: str, label_config: str) -> int:
        """The project with this title, created on first use (so push is idempotent)."""
        for project in self._call(lambda: list(self.sdk.projects.list(title=title)), "list projects"):
            if project.title == title:
                return int(project.id)
        created = self._call(lambda: self.sdk.projects.create(title=title, label_config=label_config), "create project")
        return int(created.id)

    def task_keys(self, project: int) -> dict[str, int]:
        """key -> task id of every task in the project."""
        tasks = self._call(
            lambda: list(self.sdk.tasks.list(project=project, include="id,data", page_size=5000)), "list tasks"
        )
        return {task.data["key"]: int(task.id) for task in tasks if "key" in (task.data or {})}

    def task_count(self, project: int) -> int:
        return int(self._call(lambda: self.sdk.projects.get(id=project), "read the project").task_number or 0)

    def push(
        self,
        project: int,
        tasks: Sequence[dict],
        batch_size: int,
        checkpoint: set[str] | None = None,
        on_batch: Callable[[set[str]], None] | None = None,
    ) -> dict[str, int]:
        """Import the tasks whose keys the project lacks.

        `checkpoint` is the caller's record of the project's keys; `on_batch` receives the
        updated key set after every committed batch, for the caller to save.
        """
        if checkpoint is not None and self.task_count(project) == len(checkpoint):
            present = set(checkpoint)
        else:
            present = set(self.task_keys(project))
        missing = [t for t in tasks if t["data"]["key"] not in present]
        sent = 0
        for start in range(0, len(missing), batch_size):
            batch = missing[start : start + batch_size]
            sent += self._import_once(project, batch)
            present |= {t["data"]["key"] for t in batch}
            if on_batch is not None:
                on_batch(present)
        return {"sent": sent, "already_present": len(tasks) - len(missing)}

    def _import_once(self, project: int, batch: list[dict]) -> int:
        for attempt in range(self.retries + 1):
            try:
                self.sdk.projects.import_tasks(id=project, request=batch, return_task_ids=True)
                return len(batch)
            except Exception as err:
                if not _transient(err) or attempt == self.retries:
                    raise AnnotationServiceError(self._explain(err, "import tasks")) from None
                log.warning("import to %s failed (%s); checking what the server kept", self.url, _status(err))
                time.sleep(self.backoff_seconds * 2**attempt)
                present = set(self.task_keys(project))
                batch = [t for t in batch if t["data"]["key"] not in present]
                if not batch:
                    return 0
        return 0

    def annotated_tasks(self, project: int) -> list[dict]:
        """Every task with its annotations (key, task id, annotations as Label Studio exports them)."""
        tasks = self._call(lambda: list(self.sdk.tasks.list(project=project, fields="all", page_size=500)), "export")
        return [
            {"key": t.data.get("key"), "task_id": int(t.id), "annotations": list(t.annotations or [])} for t in tasks
        ]

    def users(self) -> dict[int, str]:
        return {int(u.id): u.email or u.username for u in self._call(lambda: list(self.sdk.users.list()), "list users")}

    def _call(self, action: Callable[[], Any], what: str) -> Any:
        for attempt in range(self.retries + 1):
            try:
                return action()
            except Exception as err:
                if not _transient(err) or attempt == self.retries:
                    raise AnnotationServiceError(self._explain(err, what)) from None
                time.sleep(self.backoff_seconds * 2**attempt)
        raise AssertionError("unreachable")

    def _explain(self, err: Exception, what: str) -> str:
        status = _status(err)
        if status in (401, 403):
            cause = "the API token was refused (wrong or expired token, or legacy tokens disabled)"
        elif status == 404:
            cause = "not found (is the project still there?)"
        elif status is None:
            cause = f"cannot reach the server ({type(err).__name__})"
        else:
            cause = f"HTTP {status}"
        return f"Label Studio at {self.url}: cannot {what}: {cause}"


def _status(err: Exception) -> int | None:
    return getattr(err, "status_code", None)


def _transient(err: Exception) -> bool:
    status = _status(err)
    if status is not None:
        return status in TRANSIENT_STATUS
    return type(err).__name__ in {
        "ConnectError",
        "ReadTimeout",
        "ConnectTimeout",
        "RemoteProtocolError",
        "TimeoutException",
    }


def connect(url: str, token: str, timeout: float = 60.0) -> LabelStudioClient:
    """A client whose token has been checked, so a wrong one fails here and not mid-push."""
    from label_studio_sdk import LabelStudio

    client = LabelStudioClient(url, LabelStudio(base_url=url, api_key=token, timeout=timeout))
    client._call(client.sdk.users.whoami, "check the API token")
    return client
