"""The flows service (`/services/flows`): flows and their versions, runs with history,
published endpoints and schedules, behind the hub's login. The engine it runs is
`galilean_services.flows`; this package is the web side around it."""
