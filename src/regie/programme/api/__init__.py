"""The read API of the uitvoeringsprogramma (``/api/v1/programmes/``)."""
