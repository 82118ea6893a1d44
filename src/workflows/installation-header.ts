/**
 * The Temporal header that names the Weft installation an execution belongs to (the id kept in
 * its database's `installation` row). The API sets it on every start; workflows pass it on to
 * their activities, children and continued runs; a worker refuses an activity carrying another
 * installation's id. Workflow-safe: no Node APIs.
 */
export const INSTALLATION_HEADER = 'weft-installation';

/** The failure type of an activity refused by a worker of another installation. */
export const WRONG_INSTALLATION = 'WRONG_INSTALLATION';
