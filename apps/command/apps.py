from django.apps import AppConfig


class CommandConfig(AppConfig):
    name = "apps.command"
    verbose_name = "Command"

    def ready(self) -> None:
        # apps.common (the base layer) holds the callable interfaces; the command app hands them its services,
        # so any app notifies and raises supervised tasks without importing apps.command.
        from apps.command import notifications, tasks_service
        from apps.common.notify import register_sink
        from apps.common.supervision import register_handlers

        register_sink(notifications.store_notes, notifications.resolve_notes)
        register_handlers(tasks_service.task_raise_from_source, tasks_service.task_resolve_source)
