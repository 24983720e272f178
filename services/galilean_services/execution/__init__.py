"""The execution plane, shared by the services that run a user's work (flows runs and
endpoints, dataset operations): a process that sees only the owner's folder — bubblewrap
or a plain child locally, a container from the user's image in docker mode — started for
an entry module, talked to over stdin/stdout, killed with all it started. Services decide
and record; this is where the owner's work executes."""
