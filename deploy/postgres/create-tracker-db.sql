-- The conversations (Rasa's tracker store) in their own database next to the
-- assistant's; run once by the postgres image on an empty data volume.
CREATE DATABASE rasa_tracker;
