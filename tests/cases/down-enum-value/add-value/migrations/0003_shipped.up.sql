ALTER TYPE status ADD VALUE 'shipped';
