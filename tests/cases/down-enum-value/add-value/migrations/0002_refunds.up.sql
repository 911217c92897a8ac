ALTER TYPE status ADD VALUE 'refunded';
