"""fire — the fire-rescue squad (雷锋班).

Public names for other domains (analytics, sim, web):

- ``record.squad_record(session, *, as_of=None)`` and
  ``record.operations_summary(session, *, start, end)`` — the squad's figures, summed from
  operation reports;
- ``operations.fire_incidents``, ``operations.plan_for``, ``operations.do_dispatch_by_plan``,
  ``operations.do_take_fire_call``, ``operations.do_start_shift``, ``operations.do_report``;
- ``service.readiness_board``, ``service.describe_apparatus``, ``service.describe_members``;
- ``demo.build_fire_demo(session, context)`` — the Leifeng scenario's builder.
"""
