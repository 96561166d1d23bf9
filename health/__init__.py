"""How the service is: heartbeats of beat, the workers and the dispatchers (``heartbeats``,
``scheduler``, ``bootsteps``), the checks on them and on the database and broker (``checks``),
answered at /health/live and /health/ready (``middleware``, ``views``) and by
``manage.py health`` for Docker's health checks."""
