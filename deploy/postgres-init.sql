-- Temporal keeps its own databases beside Weft's on the same PostgreSQL server.
CREATE DATABASE temporal;
CREATE DATABASE temporal_visibility;
