"""The search's relevance test set: queries over a real council feed with judged relevant
services (``north_lincolnshire.json``, judging rules inside), and the measure both the test
suite and ``wellbeing-hub bench search-quality`` use (``evaluate``)."""
