"""The HTTP side: calendars, health. Thin: parse the request, call a core function, answer."""
